import Foundation

/// dictd dictionaries (`.index` + uncompressed `.dict`).
extension TextCleaning {
    /// Reads `index` (lines `headword TAB offset TAB length`, numbers in dictd's base 64)
    /// and the `.dict` beside it; one document per distinct entry, in file order. The
    /// `00-*` pseudo entries (licence and metadata) are skipped.
    static func dictionaryEntries(index: URL, source: String) throws -> [String] {
        let dictURL = index.deletingPathExtension().appendingPathExtension("dict")
        guard FileManager.default.fileExists(atPath: dictURL.path) else {
            let packages = CorpusCatalog.source(named: source)?.packages ?? []
            throw CorpusError.missingFile(source: source, packages: packages, path: dictURL.path)
        }
        let body = [UInt8](try Data(contentsOf: dictURL))
        var spans: [Int: Int] = [:]
        for (n, line) in lines(try readText(index)).enumerated() where !line.isEmpty {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 3, let offset = decodeBase64Number(fields[1]),
                  let length = decodeBase64Number(fields[2]) else {
                throw CorpusError.malformed(source: source, path: index.path, line: n + 1,
                                            reason: "expected 'headword<TAB>offset<TAB>length' in dictd base 64")
            }
            guard offset + length <= body.count else {
                throw CorpusError.malformed(source: source, path: index.path, line: n + 1,
                                            reason: "entry runs past the end of \(dictURL.lastPathComponent)")
            }
            // dictfmt metadata pseudo-entries: 00-database-*, 00-gcide-*, 00-web1913-*, 00database*.
            if fields[0].hasPrefix("00-") || fields[0].hasPrefix("00database") { continue }
            spans[offset] = max(spans[offset] ?? 0, length)
        }
        return spans.keys.sorted().compactMap { offset in
            let raw = String(decoding: body[offset..<offset + spans[offset]!], as: UTF8.self)
            let entry = dictionaryEntry(raw)
            return entry.isEmpty ? nil : entry
        }
    }

    /// dictd's base 64 numbers: digits `A-Za-z0-9+/`, most significant first.
    static func decodeBase64Number(_ text: some StringProtocol) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 10 else { return nil }
        var value = 0
        for byte in text.utf8 {
            let digit: Int
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): digit = Int(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): digit = Int(byte - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"): digit = 62
            case UInt8(ascii: "/"): digit = 63
            default: return nil
            }
            value = value * 64 + digit
        }
        return value
    }

    /// One entry: paragraphs reflowed and joined by newlines; removed are source tag
    /// lines (`[1913 Webster]`, `[PJC]`, `[{Jargon File}]`), FOLDOC date lines
    /// (`(2014-11-27)`) and leading `<category>` tags, GCIDE pronunciations
    /// (`\A*bun"dant\`) and the `{}` around cross-references.
    static func dictionaryEntry(_ raw: String) -> String {
        var kept: [String] = []
        for line in lines(raw) {
            let t = trim(line)
            if isSourceTagLine(t) { kept.append(""); continue }
            kept.append(t)
        }
        return paragraphs(kept).compactMap { paragraph -> String? in
            var text = reflow(paragraph)
            text = removePronunciations(text)
            if text.contains(" ,") { text = text.replacingOccurrences(of: " ,", with: ",") }
            text.removeAll { $0 == "{" || $0 == "}" }
            text = removeInlineSourceTags(text)
            while text.hasPrefix("<"), let close = text.firstIndex(of: ">") {
                text = trim(String(text[text.index(after: close)...]))
            }
            text = collapse(text)
            return text.isEmpty ? nil : text
        }.joined(separator: "\n")
    }

    static func isSourceTagLine(_ t: String) -> Bool {
        if t.hasPrefix("["), t.hasSuffix("]"), t.count <= 40 { return true }
        // FOLDOC's "(2014-11-27)"
        if t.count == 12, t.hasPrefix("("), t.hasSuffix(")") {
            return t.dropFirst().dropLast().allSatisfy { $0.isNumber || $0 == "-" }
        }
        return false
    }

    /// Removes `\...\` spans of at most 40 characters that contain a letter or digit.
    static func removePronunciations(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "\\") {
            let after = rest.index(after: open)
            if let close = rest[after...].firstIndex(of: "\\"),
               rest.distance(from: after, to: close) <= 40,
               rest[after..<close].contains(where: { $0.isLetter || $0.isNumber }) {
                out += rest[..<open]
                rest = rest[rest.index(after: close)...]
            } else {
                out += rest[...open]
                rest = rest[after...]
            }
        }
        out += rest
        return out
    }

    /// Drops inline `[1913 Webster]`, `[WordNet 1.5]`, `[PJC]`-style source tags.
    static func removeInlineSourceTags(_ text: String) -> String {
        guard text.contains("[") else { return text }
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "["), let close = rest[open...].firstIndex(of: "]") {
            let inner = rest[rest.index(after: open)..<close]
            let isTag = inner.contains("Webster") || inner.contains("WordNet")
                || (!inner.isEmpty && inner.count <= 4 && inner.allSatisfy(\.isUppercase))
            out += isTag ? rest[..<open] : rest[...close]
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        return out
    }
}

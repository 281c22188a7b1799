import Foundation

/// Turns raw package files into cleaned documents, one format at a time (the formats'
/// rules are in `TextCleaning+*.swift`). Internal: callers use `Corpus.load`.
enum TextCleaning {
    static func documents(of file: URL, format: CorpusFormat, source: String) throws -> [String] {
        switch format {
        case .bibleChapters: return bibleChapters(try readText(file))
        case .fortunes: return fortunes(try readText(file))
        case .plainText: return plainTextParagraphs(lines(try readText(file)))
        case .info: return infoParagraphs(try readText(file))
        case .manPage: return manPageSections(try readText(file))
        case .dictionary: return try dictionaryEntries(index: file, source: source)
        }
    }

    static func readText(_ url: URL) throws -> String {
        String(decoding: try Data(contentsOf: url), as: UTF8.self)
    }

    /// Physical lines split on LF only (a CR before it is dropped). Works on scalars, not
    /// Characters, because Swift treats "\r\n" as one Character.
    static func lines(_ text: String) -> [String] {
        text.utf8.split(separator: 10, omittingEmptySubsequences: false).map { slice in
            var s = String(decoding: slice, as: UTF8.self)
            if s.utf8.last == 13 { s.removeLast() }
            return s
        }
    }

    /// Collapses every run of whitespace (spaces, tabs, newlines) to one space, drops
    /// control characters, and trims the ends.
    static func collapse(_ text: some StringProtocol) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            let isSpace: Bool, isControl: Bool
            if scalar.value < 0x80 {   // ASCII fast path: Unicode property lookups are slow
                isSpace = scalar.value == 32 || (9...13).contains(scalar.value)
                isControl = !isSpace && (scalar.value < 32 || scalar.value == 127)
            } else {
                isSpace = scalar.properties.isWhitespace
                isControl = !isSpace && scalar.properties.generalCategory == .control
            }
            if isSpace {
                pendingSpace = !out.isEmpty
            } else if !isControl {
                if pendingSpace { out.unicodeScalars.append(" ") }
                pendingSpace = false
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `line` without leading and trailing spaces and tabs (cheaper than Foundation's
    /// `trimmingCharacters`, which bridges on Linux).
    static func trim(_ line: String) -> String {
        let u = line.utf8
        guard let first = u.firstIndex(where: { $0 != 32 && $0 != 9 }),
              let last = u.lastIndex(where: { $0 != 32 && $0 != 9 }) else { return "" }
        if first == u.startIndex && last == u.index(before: u.endIndex) { return line }
        return String(line[first...last])
    }

    /// Groups lines into paragraphs separated by blank lines.
    static func paragraphs(_ lines: [String]) -> [[String]] {
        var result: [[String]] = []
        var current: [String] = []
        for line in lines {
            if isBlank(line) {
                if !current.isEmpty { result.append(current) }
                current = []
            } else {
                current.append(line)
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    static func isBlank(_ line: some StringProtocol) -> Bool {
        line.utf8.allSatisfy { $0 == 32 || $0 == 9 || $0 == 13 || $0 == 12 || $0 == 11 }
    }

    /// Joins hard-wrapped lines into one line of single-spaced text.
    static func reflow(_ lines: [String]) -> String {
        collapse(lines.joined(separator: " "))
    }

    /// Share of letters among the non-space characters (0 for an empty string).
    static func letterShare(_ text: String) -> Double {
        var letters = 0, total = 0
        for scalar in text.unicodeScalars where !scalar.properties.isWhitespace {
            total += 1
            if scalar.properties.isAlphabetic { letters += 1 }
        }
        return total == 0 ? 0 : Double(letters) / Double(total)
    }

    static func wordCount(_ text: String) -> Int {
        text.split(separator: " ").count
    }
}

import Foundation

/// Byte-exact parsing of `prompts.csv` and `N.csv`. Works on UTF-8 bytes, not Swift
/// Characters: "\r\n" is one Character, and continuations do contain bare CRs.
extension ReplayLog {
    /// One prompt a line, split on LF only; the final line feed is optional.
    static func parsePrompts(_ text: String, file: String) throws -> [String] {
        var bytes = Array(text.utf8)
        if bytes.last == 10 { bytes.removeLast() }
        guard !bytes.isEmpty else { throw ReplayLogError(file: file, line: 0, reason: "no prompts") }
        let prompts = bytes.split(separator: 10, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        for (i, p) in prompts.enumerated() where p.isEmpty {
            throw ReplayLogError(file: file, line: i + 1, reason: "empty prompt")
        }
        return prompts
    }

    /// Splits a model file into one record per prompt, in order. Record i starts at a line
    /// start with prompt i, or with prompt i less its trailing spaces (the echo can lose
    /// them in a tokenizer round trip: two real records, "нужд. " echoed as "нужд.C"); it ends just before the first later line that starts with
    /// prompt i+1 (LF consumed), the last record at the end of the file (one final LF
    /// dropped).
    static func parseModel(_ text: String, prompts: [String], file: String) throws -> [Record] {
        let bytes = Array(text.utf8)
        let promptBytes = prompts.map { Array($0.utf8) }
        let trimmedBytes = promptBytes.map { p in Array(p[..<(p.lastIndex { $0 != 32 }.map { $0 + 1 } ?? 0)]) }
        var records: [Record] = []
        records.reserveCapacity(prompts.count)
        var start = 0
        var line = 1
        for i in prompts.indices {
            let prompt = hasPrefix(bytes, at: start, promptBytes[i]) ? promptBytes[i] : trimmedBytes[i]
            guard !prompt.isEmpty, hasPrefix(bytes, at: start, prompt) else {
                let found = String(decoding: bytes[start..<min(bytes.count, start + 60)], as: UTF8.self)
                throw ReplayLogError(file: file, line: line,
                                     reason: "record \(i + 1) should start with prompt \(i + 1) "
                                         + "(\(preview(prompts[i]))) but reads \(preview(found))")
            }
            let bodyStart = start + prompt.count
            var end: Int
            var next: Int
            if i + 1 < prompts.count {
                guard let lf = findLineStarting(with: trimmedBytes[i + 1], in: bytes, from: bodyStart) else {
                    throw ReplayLogError(file: file, line: line,
                                         reason: "no line after record \(i + 1) starts with prompt \(i + 2) "
                                             + "(\(preview(prompts[i + 1]))); records missing or out of order")
                }
                end = lf
                next = lf + 1
            } else {
                end = bytes.count
                if end > bodyStart, bytes[end - 1] == 10 { end -= 1 }
                next = bytes.count
            }
            records.append(Record(prompt: prompts[i],
                                  echo: String(decoding: prompt, as: UTF8.self),
                                  continuation: String(decoding: bytes[bodyStart..<end], as: UTF8.self),
                                  line: line))
            line += bytes[start..<next].reduce(0) { $1 == 10 ? $0 + 1 : $0 }
            start = next
        }
        return records
    }

    static func hasPrefix(_ bytes: [UInt8], at offset: Int, _ prefix: [UInt8]) -> Bool {
        guard offset + prefix.count <= bytes.count else { return false }
        var k = 0
        while k < prefix.count {
            if bytes[offset + k] != prefix[k] { return false }
            k += 1
        }
        return true
    }

    /// Offset of the first LF at or after `from` that is followed by `prefix`.
    static func findLineStarting(with prefix: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        var i = from
        while i < bytes.count {
            if bytes[i] == 10, hasPrefix(bytes, at: i + 1, prefix) { return i }
            i += 1
        }
        return nil
    }

    static func preview(_ s: String) -> String {
        let flat = s.replacingOccurrences(of: "\n", with: "⏎")
        return "\"" + (flat.count > 40 ? flat.prefix(40) + "…" : flat) + "\""
    }
}

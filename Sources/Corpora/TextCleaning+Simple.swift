import Foundation

/// Bible chapters, fortune cookies, plain-text manuals and Info files.
extension TextCleaning {
    /// `bible -l` output: an unindented heading ("Genesis 1") opens a chapter; indented
    /// lines are verses "  12 text". One document a chapter, one verse a line.
    static func bibleChapters(_ text: String) -> [String] {
        var chapters: [String] = []
        var verses: [String] = []
        func flush() {
            if !verses.isEmpty { chapters.append(verses.joined(separator: "\n")) }
            verses = []
        }
        for line in lines(text) where !isBlank(line) {
            if let first = line.unicodeScalars.first, !first.properties.isWhitespace {
                flush()
                continue
            }
            let verse = collapse(line.drop { $0 == " " || $0.isNumber })
            if !verse.isEmpty { verses.append(verse) }
        }
        flush()
        return chapters
    }

    /// fortune files: cookies separated by lines holding only `%`. Line breaks inside a
    /// cookie are kept (poems, dialogues, attributions); blank lines and the "BOFH excuse
    /// #N:" labels are dropped; spaces are collapsed within each line.
    static func fortunes(_ text: String) -> [String] {
        var cookies: [String] = []
        var current: [String] = []
        func flush() {
            if !current.isEmpty { cookies.append(current.joined(separator: "\n")) }
            current = []
        }
        for line in lines(text) {
            let t = collapse(line)
            if t == "%" {
                flush()
            } else if !t.isEmpty, !(t.hasPrefix("BOFH excuse #") && t.hasSuffix(":")) {
                current.append(t)
            }
        }
        flush()
        return cookies
    }

    /// Plain text rendered from DocBook/Sphinx (and licence files): one document a prose
    /// paragraph, reflowed. Dropped: rule lines (`****`, `====`), paragraphs with table
    /// borders, and anything that does not read as prose (fewer than 6 words, mostly
    /// non-letters, or not ending like a sentence: headings, code, lists of paths).
    static func plainTextParagraphs(_ lines: [String]) -> [String] {
        let ruleCharacters: Set<Character> = ["*", "=", "-", "~", "_", "#", "+"]
        let kept = lines.map { line -> String in
            let t = trim(line)
            return t.count >= 3 && t.allSatisfy(ruleCharacters.contains) ? "" : line
        }
        return paragraphs(kept).compactMap { paragraph -> String? in
            if paragraph.contains(where: { $0.contains("|") || trim($0).hasPrefix("+-") }) {
                return nil
            }
            let text = reflow(paragraph)
            guard wordCount(text) >= 6, letterShare(text) >= 0.6,
                  let last = text.last, ".!?:;)\"'”’".contains(last) else { return nil }
            return text
        }
    }

    /// GNU Info: node headers (the line after each 0x1F), menu entries and the tag table
    /// are removed, then the rest is cleaned as plain text.
    static func infoParagraphs(_ text: String) -> [String] {
        var kept: [String] = []
        var skipNext = false
        for line in lines(text) {
            if line.hasPrefix("Tag Table:") { break }
            if line.unicodeScalars.first == "\u{1F}" { skipNext = true; kept.append(""); continue }
            if skipNext { skipNext = false; continue }
            if line.hasPrefix("* Menu:") || (line.hasPrefix("* ") && line.contains("::")) {
                kept.append("")
                continue
            }
            kept.append(line)
        }
        return plainTextParagraphs(kept)
    }
}

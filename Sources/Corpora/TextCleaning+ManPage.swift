/// roff manual page sources (man(7) macros, as used by the Linux man-pages project).
extension TextCleaning {
    /// One document per `.SH` section: its prose paragraphs, one a line. Comments,
    /// the title, headings, option tags (the line after `.TP`), examples (`.EX`/`.EE`,
    /// `.nf`/`.fi`), tables (`.TS`/`.TE`) and equations are dropped; font macros keep
    /// their words; escapes become the characters they name or nothing. A page that is
    /// only a `.so` link yields nothing. Paragraphs of fewer than 4 words are dropped.
    static func manPageSections(_ text: String) -> [String] {
        var sections: [String] = []
        var paragraphs: [String] = []
        var words: [String] = []
        var skipUntil: String? = nil
        var skipNextLine = false

        func flushParagraph() {
            let p = collapse(words.joined(separator: " "))
            if wordCount(p) >= 4, letterShare(p) >= 0.5 { paragraphs.append(p) }
            words = []
        }
        func flushSection() {
            flushParagraph()
            if !paragraphs.isEmpty { sections.append(paragraphs.joined(separator: "\n")) }
            paragraphs = []
        }

        for line in lines(text) {
            if let end = skipUntil {
                if line.hasPrefix(end) { skipUntil = nil }
                continue
            }
            if line.hasPrefix(".\\\"") || line.hasPrefix("'\\\"") || line.hasPrefix(".\\#") { continue }
            if skipNextLine {
                skipNextLine = false
                continue
            }
            guard let first = line.first, first == "." || first == "'" else {
                if isBlank(line) { flushParagraph() } else { words.append(unescapeRoff(line)) }
                continue
            }
            let arguments = roffArguments(String(line.dropFirst()))
            guard let macro = arguments.first else { continue }
            let rest = arguments.dropFirst()
            switch macro {
            case "so":
                return []
            case "SH":
                flushSection()
            case "B", "I", "SM", "SB":
                words.append(rest.map(unescapeRoff).joined(separator: " "))
            case "BR", "RB", "BI", "IB", "IR", "RI":
                words.append(rest.map(unescapeRoff).joined())
            case "EX": flushParagraph(); skipUntil = ".EE"
            case "nf": flushParagraph(); skipUntil = ".fi"
            case "TS": flushParagraph(); skipUntil = ".TE"
            case "EQ": flushParagraph(); skipUntil = ".EN"
            case "TP", "TQ": flushParagraph(); skipNextLine = true
            default:
                // SS, PP, P, LP, IP, HP, RS, RE, br, sp, in, ti, UR, UE, MT, ME, TH, ...
                flushParagraph()
            }
        }
        flushSection()
        return sections
    }

    /// Splits a macro line (without its leading dot) into words, honouring double quotes.
    static func roffArguments(_ line: String) -> [String] {
        var result: [String] = []
        var current = ""
        var quoted = false
        var hasToken = false
        var iterator = line.makeIterator()
        while let c = iterator.next() {
            if c == "\"" {
                if quoted { result.append(current); current = ""; hasToken = false; quoted = false }
                else if !hasToken { quoted = true; hasToken = true }
                else { current.append(c) }
            } else if (c == " " || c == "\t") && !quoted {
                if hasToken { result.append(current); current = ""; hasToken = false }
            } else {
                current.append(c)
                hasToken = true
            }
        }
        if hasToken { result.append(current) }
        return result
    }

    /// Named roff characters kept as text; any other `\(xx` or `\[name]` is dropped.
    static let roffCharacters: [String: String] = [
        "em": "—", "en": "–", "hy": "-", "aq": "'", "dq": "\"", "lq": "“", "rq": "”",
        "oq": "‘", "cq": "’", "bu": "•", "co": "©", "rg": "®", "tm": "™", "mu": "×",
        "rs": "\\", "ti": "~", "ha": "^", "da": "↓", "ua": "↑", "ra": "→", "la": "←",
        "de": "°", "+-": "±", "<=": "≤", ">=": "≥", "!=": "≠", "pl": "+", "mi": "−",
        "at": "@", "sh": "#", "Do": "$", "ba": "|", "sc": "§", "ps": "¶", "aa": "´",
        "ga": "`", "bv": "|", "or": "|",
    ]

    /// Replaces roff escapes in a text line by the characters they stand for.
    static func unescapeRoff(_ line: String) -> String {
        guard line.contains("\\") else { return line }
        var out = ""
        let chars = Array(line)
        var i = 0
        func readName() -> String {
            // After "(", two characters; after "[", up to "]"; otherwise one character.
            guard i < chars.count else { return "" }
            if chars[i] == "(" {
                let name = String(chars[min(i + 1, chars.count)..<min(i + 3, chars.count)])
                i += 3
                return name
            }
            if chars[i] == "[" {
                var j = i + 1
                while j < chars.count, chars[j] != "]" { j += 1 }
                let name = String(chars[(i + 1)..<min(j, chars.count)])
                i = j + 1
                return name
            }
            let name = String(chars[i])
            i += 1
            return name
        }
        while i < chars.count {
            let c = chars[i]
            guard c == "\\", i + 1 < chars.count else { out.append(c); i += 1; continue }
            let e = chars[i + 1]
            i += 2
            switch e {
            case "f", "F", "n", "g", "k", "V", "m", "M", "Y": _ = readName()   // fonts, registers
            case "*":
                let name = readName()
                if name == "lq" { out += "“" } else if name == "rq" { out += "”" }
                else if name == "R" { out += "®" } else if name == "Tm" { out += "™" }
            case "(", "[":
                i -= 1
                out += roffCharacters[readName()] ?? ""
            case "s":
                // \s-1, \s+2, \s0, \s(12, \s[12]
                if i < chars.count, chars[i] == "-" || chars[i] == "+" { i += 1 }
                if i < chars.count, chars[i] == "(" || chars[i] == "[" { _ = readName() }
                else { while i < chars.count, chars[i].isNumber { i += 1 } }
            case "-": out.append("-")
            case "e", "\\": out.append("\\")
            case "'": out.append("´")
            case "`": out.append("`")
            case ".": out.append(".")
            case " ", "~", "0": out.append(" ")
            case "&", "%", ":", "c", "/", ",", "|", "^", "d", "u", "p", "a", "t", "}", "{", "z": break
            case "\"": return out   // comment to end of line
            case "h", "v", "w", "o", "l", "L", "D", "X", "b", "x", "R", "A", "B", "Z", "N", "C":
                // Escapes with a quoted argument: skip 'arg'.
                if i < chars.count, chars[i] == "'" {
                    var j = i + 1
                    while j < chars.count, chars[j] != "'" { j += 1 }
                    i = j + 1
                }
            default: out.append(e)
            }
        }
        return out
    }
}

/// Splits text into pieces before a vocabulary is applied. The pieces tile the text exactly:
/// concatenating them gives back every byte, so tokenizers built on them round-trip.
public enum PreTokenizer: String, Sendable, Codable, CaseIterable {
    /// Words (letters, marks and digits), whitespace runs, and each other character alone.
    case words
    /// GPT-2 style: a single leading space attaches to the following run of letters,
    /// digits or punctuation; other whitespace stands alone.
    case gpt2

    enum CharacterClass: Equatable {
        case letter, number, space, whitespace, other
    }

    static func classify(_ scalar: Unicode.Scalar) -> CharacterClass {
        let value = scalar.value
        if value < 0x80 {
            switch value {
            case 0x20: return .space
            case 0x09...0x0D: return .whitespace
            case 0x30...0x39: return .number
            case 0x41...0x5A, 0x61...0x7A: return .letter
            default: return .other
            }
        }
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }

    /// Byte ranges of the pieces of `bytes` (the UTF-8 of `text`), in order, tiling it.
    func split(_ text: String) -> [Range<Int>] {
        var starts: [Int] = []
        var classes: [CharacterClass] = []
        var offset = 0
        for scalar in text.unicodeScalars {
            starts.append(offset)
            classes.append(Self.classify(scalar))
            offset += UTF8.width(scalar)
        }
        starts.append(offset)
        let count = classes.count
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(count / 3 + 1)
        var i = 0
        switch self {
        case .words:
            while i < count {
                var j = i + 1
                switch classes[i] {
                case .letter, .number:
                    while j < count, classes[j] == .letter || classes[j] == .number { j += 1 }
                case .space, .whitespace:
                    while j < count, classes[j] == .space || classes[j] == .whitespace { j += 1 }
                case .other:
                    break
                }
                ranges.append(starts[i]..<starts[j])
                i = j
            }
        case .gpt2:
            while i < count {
                var j = i + 1
                let cls = classes[i]
                if cls == .space, j < count, classes[j] != .space, classes[j] != .whitespace {
                    let runClass = classes[j]
                    j += 1
                    while j < count, classes[j] == runClass { j += 1 }
                } else if cls == .space || cls == .whitespace {
                    while j < count, classes[j] == .space || classes[j] == .whitespace { j += 1 }
                    // Leave a final plain space to the word that follows, as GPT-2 does.
                    if j < count, j - 1 > i, classes[j - 1] == .space { j -= 1 }
                } else {
                    while j < count, classes[j] == cls { j += 1 }
                }
                ranges.append(starts[i]..<starts[j])
                i = j
            }
        }
        return ranges
    }
}

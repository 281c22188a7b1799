/// One of this module's tokenizers, as a concrete value that can be stored in a model file.
public enum AnyTokenizer: Tokenizer, Equatable, CustomStringConvertible {
    case byte(ByteTokenizer)
    case character(CharacterTokenizer)
    case word(WordTokenizer)
    case bpe(BPETokenizer)

    /// Trains the tokenizer `configuration` describes on `documents` (deterministic).
    public init(training configuration: TokenizerConfiguration, documents: [String]) throws {
        switch configuration {
        case .byte:
            self = .byte(ByteTokenizer())
        case let .character(maxCharacters):
            guard maxCharacters >= 0 else {
                throw LanguageModelError.invalidParameter(
                    name: "maxCharacters", value: "\(maxCharacters)", reason: "must not be negative")
            }
            self = .character(CharacterTokenizer(training: documents, maxCharacters: maxCharacters))
        case let .word(vocabularySize):
            guard vocabularySize >= 257 else {
                throw LanguageModelError.invalidParameter(
                    name: "vocabularySize", value: "\(vocabularySize)", reason: "must be at least 257 (bytes and end-of-text)")
            }
            self = .word(WordTokenizer(training: documents, vocabularySize: vocabularySize))
        case let .bpe(vocabularySize):
            self = .bpe(try BPETokenizer(training: documents, vocabularySize: vocabularySize))
        }
    }

    /// The wrapped tokenizer.
    public var base: any Tokenizer {
        switch self {
        case let .byte(tokenizer): tokenizer
        case let .character(tokenizer): tokenizer
        case let .word(tokenizer): tokenizer
        case let .bpe(tokenizer): tokenizer
        }
    }

    public var identifier: String { base.identifier }
    public var description: String { identifier }
    public var vocabularySize: Int { base.vocabularySize }
    public var endOfTextToken: Int { base.endOfTextToken }
    public func encode(_ text: String) -> [Int] { base.encode(text) }
    public func encode(documents: [String]) -> [[Int]] { base.encode(documents: documents) }
    public func piece(of token: Int) -> [UInt8] { base.piece(of: token) }
}

/// How to build a tokenizer; the kinds and sizes a zoo specification can ask for.
public enum TokenizerConfiguration: Sendable, Hashable, Codable, CustomStringConvertible {
    /// One token per byte (vocabulary 257).
    case byte
    /// One token per frequent non-ASCII scalar (at most `maxCharacters`), bytes otherwise.
    case character(maxCharacters: Int)
    /// Words, whitespace runs and punctuation; `vocabularySize` ids in all.
    case word(vocabularySize: Int)
    /// Learned byte-level BPE; `vocabularySize` ids in all.
    case bpe(vocabularySize: Int)

    public var description: String {
        switch self {
        case .byte: "byte"
        case let .character(maxCharacters): "char-\(maxCharacters)"
        case let .word(vocabularySize): "word-\(vocabularySize)"
        case let .bpe(vocabularySize): "bpe-\(vocabularySize)"
        }
    }

    /// Parses `byte`, `char-N`, `word-N` or `bpe-N` (the `description` form).
    public init?(parsing text: String) {
        if text == "byte" { self = .byte; return }
        let parts = text.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, let size = Int(parts[1]), size >= 0 else { return nil }
        switch parts[0] {
        case "char": self = .character(maxCharacters: size)
        case "word": self = .word(vocabularySize: size)
        case "bpe": self = .bpe(vocabularySize: size)
        default: return nil
        }
    }
}

import Common
import Corpora

/// Tokenizer-boundary probes: strings that split very differently under different tokenizers
/// (rare scripts, digit runs, whitespace runs, invisible and combining characters, punctuation
/// runs), alone or after a word. A byte-level model spells them in many pieces where a BPE of
/// a large vocabulary has one; a word model may not have them at all.
public struct BoundaryGenerator: PoolGenerator {
    public init() {}
    public var kind: String { "boundary" }

    /// Pieces of each family (UTF-8 throughout: Swift strings are valid Unicode).
    static let scripts = ["Ελληνικά", "Русский", "日本語", "中文", "한국어", "हिन्दी", "العربية", "עברית", "ไทย", "Ωμέγα", "Привет", "東京"]
    static let emoji = ["🙂", "🚀", "👍🏽", "🇫🇷", "❤️", "🤖"]
    static let invisible = ["\u{200B}", "\u{200D}", "\u{00A0}", "\u{FEFF}", "e\u{0301}", "n\u{0303}"]
    static let whitespace = ["  ", "   ", "\t", "\t\t", "\n", "\n\n", " \n ", "    "]
    static let punctuation = ["...", "!!!", "???", "---", "```", "***", "(((", "]]]", "<<>>", "\\\\", "//", "~~~", "#!"]

    static func digits(_ rng: inout SeededGenerator) -> String {
        switch rng.next() % 4 {
        case 0: return String((0..<uniform(3...16, &rng)).map { _ in Character(String(rng.next() % 10)) })
        case 1: return "\(uniform(0...999, &rng)).\(uniform(0...999_999, &rng))"
        case 2: return "\(uniform(1...999, &rng)),\(uniform(100...999, &rng)),\(uniform(100...999, &rng))"
        default: return "0x" + String(uniform(0...0xFFFFFF, &rng), radix: 16)
        }
    }

    public func prompts(count: Int, corpora: (String) throws -> Corpus, using rng: inout SeededGenerator) throws -> [String] {
        let words = ["The", "the", "A", "In", "Note:", "word"]
        return drawn(count, using: &rng) { rng in
            let family: [String]
            switch rng.next() % 6 {
            case 0: family = Self.scripts
            case 1: family = Self.emoji
            case 2: family = Self.invisible
            case 3: family = Self.whitespace
            case 4: family = Self.punctuation
            default: family = [Self.digits(&rng)]
            }
            let piece = family[Int(rng.next() % UInt64(family.count))]
            switch rng.next() % 3 {
            case 0: return piece
            case 1: return words[Int(rng.next() % UInt64(words.count))] + " " + piece
            default: return piece + piece
            }
        }
    }
}

/// Repetitions and degenerate patterns: a word of held-out text repeated, counting, the
/// alphabet, a character run. Models trained on different text continue a loop differently.
public struct RepetitionGenerator: PoolGenerator {
    public var corpora: [String]
    public init(corpora: [String]) {
        precondition(!corpora.isEmpty, "repetitions need corpora to draw words from")
        self.corpora = corpora
    }
    public var kind: String { "repetitions" }
    static let runs = ["a", "e", "o", "x", "z", ".", "-", "=", "*", "ha", "la"]

    public func prompts(count: Int, corpora load: (String) throws -> Corpus, using rng: inout SeededGenerator) throws -> [String] {
        let words = try corpora.flatMap { name in
            try load(name).documents(in: .heldout).prefix(200).flatMap { $0.split(whereSeparator: \.isWhitespace).prefix(20).map(String.init) }
        }.filter { $0.utf8.count <= 12 }
        guard !words.isEmpty else { throw PoolSpecError(field: "corpora", reason: "no held-out words in \(corpora.joined(separator: ", "))") }
        return drawn(count, using: &rng) { rng in
            let n = uniform(2...8, &rng)
            switch rng.next() % 4 {
            case 0: return Array(repeating: words[Int(rng.next() % UInt64(words.count))], count: n).joined(separator: " ")
            case 1: let start = uniform(0...20, &rng); return (start..<(start + n)).map(String.init).joined(separator: " ")
            case 2: return String("abcdefghijklmnopqrstuvwxyz".prefix(n + uniform(0...18, &rng)))
            default: return String(repeating: Self.runs[Int(rng.next() % UInt64(Self.runs.count))], count: n * 2)
            }
        }
    }
}

/// Single characters: a letter, a digit, a punctuation mark, a space, a newline. The shortest
/// prompts, so under MLMAC's length rule the longest answers.
public struct CharacterGenerator: PoolGenerator {
    public init() {}
    public var kind: String { "characters" }
    static let characters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?'\"-()[]{}<>/@#$%&*+= \n").map(String.init)

    public func prompts(count: Int, corpora: (String) throws -> Corpus, using rng: inout SeededGenerator) throws -> [String] {
        drawn(count, using: &rng) { rng in Self.characters[Int(rng.next() % UInt64(Self.characters.count))] }
    }
}

/// Special-token strings of real tokenizers (GPT-2, Llama, BERT, T5, ChatML, Gemma), alone or
/// before a word: a tokenizer that knows one reads one token, the others read its characters.
public struct SpecialTokenGenerator: PoolGenerator {
    public init() {}
    public var kind: String { "special-tokens" }
    static let tokens = ["<|endoftext|>", "<s>", "</s>", "<unk>", "<pad>", "<mask>", "[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]",
                         "<|im_start|>", "<|im_end|>", "<bos>", "<eos>", "<start_of_turn>", "<end_of_turn>", "<|begin_of_text|>",
                         "<|eot_id|>", "<extra_id_0>", "<|user|>", "<|assistant|>", "<|system|>", "<|pad|>"]

    public func prompts(count: Int, corpora: (String) throws -> Corpus, using rng: inout SeededGenerator) throws -> [String] {
        let after = ["", " ", " The", "\n", "user\n", " Hello"]
        return drawn(count, using: &rng) { rng in
            Self.tokens[Int(rng.next() % UInt64(Self.tokens.count))] + after[Int(rng.next() % UInt64(after.count))]
        }
    }
}

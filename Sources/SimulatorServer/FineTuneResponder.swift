import Common

/// The fine-tuned models behind the simulator: given a prompt, a continuation.
///
/// The simulator adds the prompt in front (MLMAC's `generated_text` echoes it), so a
/// responder returns only the new text. `sample` numbers repeated queries of the same
/// (caller, model, prompt) from 0, so a repeated prompt can draw a new sample while the
/// whole run stays deterministic. The embedded model zoo conforms to this protocol.
public protocol FineTuneResponder: Sendable {
    /// How many fine-tuned models there are; valid model numbers are `0..<modelCount`.
    var modelCount: Int { get }
    /// The continuation of `prompt` by fine-tuned model `model` (prompt not included).
    func continuation(model: Int, prompt: String, sample: UInt64) throws -> String
    /// The same under the decoding a caller asked for (OpenAI's `temperature`, `max_tokens`);
    /// by default the model's own decoding.
    func continuation(model: Int, prompt: String, sample: UInt64, requested: RequestedDecoding) throws -> String
}

/// Decoding fields an OpenAI-compatible request sets; nil keeps the model's own.
public struct RequestedDecoding: Sendable, Equatable {
    public var temperature: Double?
    /// New tokens at most (`max_tokens`).
    public var maxNewTokens: Int?
    public init(temperature: Double? = nil, maxNewTokens: Int? = nil) {
        self.temperature = temperature
        self.maxNewTokens = maxNewTokens
    }
}

extension FineTuneResponder {
    public func continuation(model: Int, prompt: String, sample: UInt64, requested: RequestedDecoding) throws -> String {
        try continuation(model: model, prompt: prompt, sample: sample)
    }
}

/// A deterministic stand-in for real fine-tunes: each model continues a prompt with 1 to
/// `maxWords` words drawn from its own slice of a small vocabulary, seeded by
/// (seed, model, prompt, sample). Different models prefer different words, so responses
/// carry (a little) information about which model answered.
public struct SeededResponder: FineTuneResponder {
    public let modelCount: Int
    public let seed: UInt64
    public let maxWords: Int

    private static let vocabulary = [
        "the", "of", "and", "model", "data", "river", "stone", "light", "über", "мир",
        "λόγος", "日本", "quick", "slow", "north", "south", "\n", "!", "42", "ε",
    ]

    public init(modelCount: Int = 12, seed: UInt64 = 0, maxWords: Int = 4) {
        self.modelCount = modelCount
        self.seed = seed
        self.maxWords = max(1, maxWords)
    }

    public func continuation(model: Int, prompt: String, sample: UInt64) throws -> String {
        // FNV-1a from an offset basis perturbed by the seed and model, then the sample's bytes.
        var hash = StableHash(value: StableHash.offsetBasis ^ seed ^ (UInt64(model) &* 0x9E37_79B9))
        hash.combine(prompt.utf8)
        hash = StableHash(value: StableHash.offsetBasis ^ hash.value)
        hash.combine(sample)
        var generator = SeededGenerator(seed: hash.value)
        let words = 1 + Int(generator.next() % UInt64(maxWords))
        let vocabulary = Self.vocabulary
        var text = ""
        for _ in 0..<words {
            // Each model draws from a window of 8 words starting at its own offset.
            let index = (model * 3 + Int(generator.next() % 8)) % vocabulary.count
            text += " " + vocabulary[index]
        }
        return text
    }
}

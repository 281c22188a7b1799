/// A causal language model over its own tokenizer's ids.
///
/// The one requirement is the full next-token distribution; sampling and scoring are built on
/// it (see `LanguageModel+Sampling.swift` and `LanguageModel+Scoring.swift`), so they agree
/// with each other by construction.
public protocol LanguageModel: Sendable {
    /// The tokenizer whose ids this model predicts.
    var tokenizer: any Tokenizer { get }
    /// How many trailing context tokens the distribution depends on (nil: all of them).
    /// Batch scoring caches distributions keyed by that many trailing tokens.
    var contextWindow: Int? { get }
    /// Natural-log probabilities of every next token id (end-of-text included) after `context`;
    /// `tokenizer.vocabularySize` entries whose exponentials sum to 1. An empty context means
    /// the start of a text, with no begin-of-text token implied.
    func nextTokenLogProbabilities(context: [Int]) -> [Double]
    /// Scores many tokenized continuations of one tokenized prompt under `settings`. By default
    /// a loop over positions sharing next-token distributions (`LanguageModel+Scoring.swift`);
    /// a model served in batches answers it with one batch (`ServerModels.WorkerLanguageModel`).
    func scoreContinuations(promptTokens: [Int], continuations: [[Int]], settings: DecodingSettings) -> [ContinuationScore]
}

extension LanguageModel {
    public var contextWindow: Int? { nil }
}

/// One sampled continuation.
public struct Generation: Sendable, Hashable {
    /// The prompt's tokens, as the model tokenized it.
    public var promptTokens: [Int]
    /// The sampled new tokens, without the end-of-text token.
    public var tokens: [Int]
    /// True when end-of-text was sampled; false when the length limit stopped generation.
    public var endedWithEndOfText: Bool
    /// The decoded continuation text (what an API appends to the prompt).
    public var text: String

    public init(promptTokens: [Int], tokens: [Int], endedWithEndOfText: Bool, text: String) {
        self.promptTokens = promptTokens
        self.tokens = tokens
        self.endedWithEndOfText = endedWithEndOfText
        self.text = text
    }
}

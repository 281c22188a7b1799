/// Per-token natural-log probabilities of a continuation after a prompt under one model,
/// tokenized by that model from the exact prompt/response boundary.
///
/// Two distributions are scored: the model's raw next-token distribution, and the decoded
/// one (temperature, top-k, top-p of a `DecodingSettings`) that an API samples from. Keeping
/// per-token arrays lets an observation model apply per-token mixtures (drift robustness).
public struct ContinuationScore: Sendable, Hashable {
    /// Number of prompt tokens under this model's tokenizer.
    public var promptTokenCount: Int
    /// The continuation's tokens under this model's tokenizer.
    public var tokens: [Int]
    /// log p(token_t | prompt, tokens_<t), natural log, one per token.
    public var rawLogProbabilities: [Double]
    /// The same under the decoded distribution; -infinity where top-k/top-p removed the token.
    public var decodedLogProbabilities: [Double]
    /// New tokens the settings allowed after this prompt.
    public var newTokenLimit: Int
    /// The end-of-text term (natural log, raw and decoded), present when the continuation is
    /// shorter than `newTokenLimit`, i.e. generation must have stopped by sampling end-of-text.
    public var endOfText: EndOfTextTerm?

    /// log p(end-of-text | prompt, continuation), natural log.
    public struct EndOfTextTerm: Sendable, Hashable {
        public var raw: Double
        public var decoded: Double
        public init(raw: Double, decoded: Double) {
            self.raw = raw
            self.decoded = decoded
        }
    }

    public init(
        promptTokenCount: Int, tokens: [Int], rawLogProbabilities: [Double], decodedLogProbabilities: [Double],
        newTokenLimit: Int, endOfText: EndOfTextTerm?
    ) {
        precondition(tokens.count == rawLogProbabilities.count && tokens.count == decodedLogProbabilities.count)
        self.promptTokenCount = promptTokenCount
        self.tokens = tokens
        self.rawLogProbabilities = rawLogProbabilities
        self.decodedLogProbabilities = decodedLogProbabilities
        self.newTokenLimit = newTokenLimit
        self.endOfText = endOfText
    }

    /// Number of continuation tokens.
    public var tokenCount: Int { tokens.count }

    /// True when the continuation has more tokens than the settings allow (possible only if
    /// the sampling model tokenized differently); the decoded likelihood is then a lower bound.
    public var exceedsLengthLimit: Bool { tokens.count > newTokenLimit }

    /// Total raw log-likelihood in nats: the tokens plus the end-of-text term if present.
    public var totalRawLogProbability: Double {
        rawLogProbabilities.reduce(0, +) + (endOfText?.raw ?? 0)
    }

    /// Total decoded log-likelihood in nats: the tokens plus the end-of-text term if present.
    public var totalDecodedLogProbability: Double {
        decodedLogProbabilities.reduce(0, +) + (endOfText?.decoded ?? 0)
    }
}

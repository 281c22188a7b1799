import Common

/// One continuation to score: token ids of the model's own tokenizer.
public struct ScoringRequest: Sendable, Hashable {
    public var context: [Int]
    public var continuation: [Int]
    public init(context: [Int], continuation: [Int]) {
        self.context = context
        self.continuation = continuation
    }
}

/// One continuation to sample: after `prompt` (token ids), drawn with a generator seeded by `seed`.
public struct SamplingRequest: Sendable, Hashable {
    public var prompt: [Int]
    public var seed: UInt64
    public init(prompt: [Int], seed: UInt64) {
        self.prompt = prompt
        self.seed = seed
    }
}

/// Some tokens asked for as the next one after a context (token ids of the model's own tokenizer).
public struct TokenQuery: Sendable, Hashable {
    public var context: [Int]
    public var tokens: [Int]
    public init(context: [Int], tokens: [Int]) {
        self.context = context
        self.tokens = tokens
    }
}

/// The raw and decoded natural-log probabilities of a query's tokens, in its order.
public struct TokenLogProbabilities: Sendable, Hashable {
    public var raw: [Double]
    public var decoded: [Double]
    public init(raw: [Double], decoded: [Double]) {
        self.raw = raw
        self.decoded = decoded
    }
}

/// A model that works in batches, the unit of work of a real model on a GPU: score many
/// (context, continuation) pairs, sample many continuations, give many next-token
/// distributions, give a few tokens' log-probabilities after many contexts, draw one next
/// token after many contexts, each under one
/// decoding. What the observation model needs of a base (tensors, calibration, the `None`
/// reference, drift, answers scored over their segmentations, the simulator) fits in these
/// five calls. Every `LanguageModel` has them as a loop over its own methods (the n-gram models'
/// batch is a loop); a model served by a worker process answers each call with one request.
public protocol BatchLanguageModel: Sendable {
    var tokenizer: any Tokenizer { get }
    /// Per continuation: raw and decoded log-probabilities per token (natural log) and the
    /// end-of-text term when the continuation is shorter than the length limit of `settings`
    /// (counted in this model's tokens, the context included, at least `minNewTokens`).
    func scoreBatch(_ requests: [ScoringRequest], settings: DecodingSettings) throws -> [ContinuationScore]
    /// Per request, a continuation sampled from the decoded distribution of `settings` until
    /// end-of-text or the length limit; the same request and seed give the same tokens.
    func sampleBatch(_ requests: [SamplingRequest], settings: DecodingSettings) throws -> [Generation]
    /// Per context, the raw next-token distribution: natural log over the whole vocabulary,
    /// end-of-text included.
    func distributions(contexts: [[Int]]) throws -> [[Double]]
    /// Per query, the raw and decoded (under `settings`) log-probabilities of its tokens as
    /// the next one after its context: what scoring an answer over its segmentations asks (a
    /// few candidate tokens per path), without whole vocabularies.
    func tokenLogProbabilities(_ queries: [TokenQuery], settings: DecodingSettings) throws -> [TokenLogProbabilities]
    /// Per request, one token drawn after `prompt` (a context) from the decoded distribution of
    /// `settings`, end-of-text included; the same context and seed draw the same token. What
    /// a sampler that mixes the model with a drift asks at each position, instead of whole
    /// vocabularies.
    func drawNextTokens(_ requests: [SamplingRequest], settings: DecodingSettings) throws -> [Int]
}

/// A model whose one-at-a-time calls each cost a request (a model on the worker): a step that
/// draws many samples asks it for the next-token distributions of all of them at once, one
/// request per token position instead of one per token of every sample.
public protocol BatchServedLanguageModel: BatchLanguageModel, LanguageModel {}

extension LanguageModel {
    public func scoreBatch(_ requests: [ScoringRequest], settings: DecodingSettings) throws -> [ContinuationScore] {
        requests.map { scoreContinuation(promptTokens: $0.context, continuationTokens: $0.continuation, settings: settings) }
    }

    public func sampleBatch(_ requests: [SamplingRequest], settings: DecodingSettings) throws -> [Generation] {
        requests.map { request in
            var generator = SeededGenerator(seed: request.seed)
            return sample(promptTokens: request.prompt, settings: settings, using: &generator)
        }
    }

    public func distributions(contexts: [[Int]]) throws -> [[Double]] {
        contexts.map { nextTokenLogProbabilities(context: $0) }
    }

    public func drawNextTokens(_ requests: [SamplingRequest], settings: DecodingSettings) throws -> [Int] {
        requests.map { request in
            var generator = SeededGenerator(seed: request.seed)
            return sampleNextToken(context: request.prompt, settings: settings, using: &generator)
        }
    }

    public func tokenLogProbabilities(_ queries: [TokenQuery], settings: DecodingSettings) throws -> [TokenLogProbabilities] {
        queries.map { query in
            let raw = nextTokenLogProbabilities(context: query.context)
            let decoded = settings.decodedLogProbabilities(raw: raw)
            return TokenLogProbabilities(raw: query.tokens.map { raw[$0] }, decoded: query.tokens.map { decoded[$0] })
        }
    }
}

extension NGramLanguageModel: BatchLanguageModel {}

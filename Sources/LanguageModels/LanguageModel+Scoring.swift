extension LanguageModel {
    /// Sum of the natural-log next-token probabilities of `continuation`'s tokens after
    /// `prompt`, each text tokenized separately (no end-of-text term, raw distribution).
    public func score(prompt: String, continuation: String) -> Double {
        var context = tokenizer.encode(prompt)
        var total = 0.0
        for token in tokenizer.encode(continuation) {
            total += nextTokenLogProbabilities(context: context)[token]
            context.append(token)
        }
        return total
    }

    /// Per-token raw and decoded log-probabilities of `continuation` after `prompt`, tokenized
    /// separately from the exact boundary, with the end-of-text term when the continuation is
    /// shorter than the length limit of `settings`.
    public func scoreContinuation(prompt: String, continuation: String, settings: DecodingSettings) -> ContinuationScore {
        var cache = DistributionCache(settings: settings, window: contextWindow)
        return scoreContinuation(
            promptTokens: tokenizer.encode(prompt), continuationTokens: tokenizer.encode(continuation), cache: &cache)
    }

    /// Scores many continuations of one prompt, sharing next-token distributions between them
    /// (every continuation starts from the same context, so the first step is computed once).
    public func scoreContinuations(prompt: String, continuations: [String], settings: DecodingSettings) -> [ContinuationScore] {
        var cache = DistributionCache(settings: settings, window: contextWindow)
        let promptTokens = tokenizer.encode(prompt)
        return continuations.map { continuation in
            scoreContinuation(promptTokens: promptTokens, continuationTokens: tokenizer.encode(continuation), cache: &cache)
        }
    }

    /// Scores many already tokenized continuations of one tokenized prompt (ids of this model's
    /// tokenizer), sharing next-token distributions between them.
    public func scoreContinuations(promptTokens: [Int], continuations: [[Int]], settings: DecodingSettings) -> [ContinuationScore] {
        var cache = DistributionCache(settings: settings, window: contextWindow)
        return continuations.map { tokens in
            scoreContinuation(promptTokens: promptTokens, continuationTokens: tokens, cache: &cache)
        }
    }

    /// Scores already tokenized text (tokens of this model's tokenizer).
    public func scoreContinuation(promptTokens: [Int], continuationTokens: [Int], settings: DecodingSettings) -> ContinuationScore {
        var cache = DistributionCache(settings: settings, window: contextWindow)
        return scoreContinuation(promptTokens: promptTokens, continuationTokens: continuationTokens, cache: &cache)
    }

    func scoreContinuation(promptTokens: [Int], continuationTokens: [Int], cache: inout DistributionCache) -> ContinuationScore {
        let limit = cache.settings.newTokenLimit(promptTokenCount: promptTokens.count)
        var context = promptTokens
        var raw: [Double] = []
        var decoded: [Double] = []
        raw.reserveCapacity(continuationTokens.count)
        decoded.reserveCapacity(continuationTokens.count)
        for token in continuationTokens {
            let step = cache.step(context: context, model: self)
            raw.append(step.rawLogProbability(token))
            decoded.append(step.decoded(token))
            context.append(token)
        }
        var endOfText: ContinuationScore.EndOfTextTerm? = nil
        if continuationTokens.count < limit {
            let step = cache.step(context: context, model: self)
            let token = tokenizer.endOfTextToken
            endOfText = .init(raw: step.rawLogProbability(token), decoded: step.decoded(token))
        }
        return ContinuationScore(
            promptTokenCount: promptTokens.count, tokens: continuationTokens, rawLogProbabilities: raw,
            decodedLogProbabilities: decoded, newTokenLimit: limit, endOfText: endOfText)
    }
}

/// Next-token distributions of one scoring batch, keyed by the context's trailing window.
/// Without top-k/top-p the decoded log-probability is raw / T minus a cached normaliser, so
/// the full decoded vector is never built; for an n-gram model not even the raw vector is
/// (`NGramLanguageModel+Pointwise`): a step is its matched contexts and its normaliser.
struct DistributionCache {
    let settings: DecodingSettings
    let window: Int?
    private var entries: [[Int]: Step] = [:]
    /// Power sums of the n-gram contexts met in this batch, at exponent 1 / T.
    private var powerSums: [Int: Double] = [:]
    private static let capacity = 4096

    struct Step {
        /// The raw log-probability vector (nil on the pointwise path).
        let raw: [Double]?
        /// The n-gram model and matched contexts of the pointwise path.
        let pointwise: (model: NGramLanguageModel, chain: [MatchedContext])?
        /// Raw and decoded log-probabilities of the tokens a query asked for
        /// (`BatchLanguageModel.tokenLogProbabilities`), on the picked path.
        let picked: [Int: (raw: Double, decoded: Double)]?
        let temperature: Double
        let normaliser: Double
        /// Full decoded vector, only when top-k or top-p filter tokens.
        let filtered: [Double]?

        /// Natural-log probability of `token` under the raw distribution.
        func rawLogProbability(_ token: Int) -> Double {
            if let raw { return raw[token] }
            if let picked { return Self.entry(picked, token).raw }
            let (model, chain) = pointwise!
            return cLog(model.probability(of: token, chain: chain[...]))
        }

        /// Natural-log probability of `token` under the decoded distribution.
        func decoded(_ token: Int) -> Double {
            if let picked { return Self.entry(picked, token).decoded }
            return filtered?[token] ?? rawLogProbability(token) / temperature - normaliser
        }

        /// Whether this step answers for every token in `tokens`.
        func covers(_ tokens: [Int]) -> Bool {
            guard let picked else { return true }
            return tokens.allSatisfy { picked[$0] != nil }
        }

        private static func entry(_ picked: [Int: (raw: Double, decoded: Double)], _ token: Int) -> (raw: Double, decoded: Double) {
            guard let found = picked[token] else { preconditionFailure("token \(token) was not among the tokens asked for at this context") }
            return found
        }
    }

    init(settings: DecodingSettings, window: Int?) {
        self.settings = settings
        self.window = window
    }

    /// What an entry is keyed by: the context's trailing window (the model sees no more).
    func key(_ context: [Int]) -> [Int] { window.map { Array(context.suffix($0)) } ?? context }

    mutating func step(context: [Int], model: some LanguageModel) -> Step {
        let key = key(context)
        if let hit = entries[key] { return hit }
        let step: Step
        let temperature = settings.temperature
        if settings.topK == nil, settings.topP == nil, let ngram = model as? NGramLanguageModel {
            let chain = ngram.matchedChain(context: context)
            let sum = ngram.powerSum(chain: chain[...], exponent: 1 / temperature, memo: &powerSums)
            step = Step(raw: nil, pointwise: (ngram, chain), picked: nil, temperature: temperature, normaliser: cLog(sum), filtered: nil)
        } else if settings.topK == nil, settings.topP == nil {
            let raw = model.nextTokenLogProbabilities(context: context)
            step = Step(raw: raw, pointwise: nil, picked: nil, temperature: temperature, normaliser: logSumExp(raw.map { $0 / temperature }), filtered: nil)
        } else {
            let raw = model.nextTokenLogProbabilities(context: context)
            step = Step(raw: raw, pointwise: nil, picked: nil, temperature: temperature, normaliser: 0,
                        filtered: settings.decodedLogProbabilities(raw: raw))
        }
        if entries.count >= Self.capacity {
            entries.removeAll(keepingCapacity: true)
            powerSums.removeAll(keepingCapacity: true)
        }
        entries[key] = step
        return step
    }

    /// Asks a model that answers in batches (`BatchServedLanguageModel`) in one call for the
    /// tokens of every query its entries do not cover yet, so that the `step`s after it read
    /// only those tokens; other models compute each step when asked, and this does nothing.
    mutating func prefetch(_ queries: [TokenQuery], model: some LanguageModel) throws {
        guard let served = model as? any BatchServedLanguageModel else { return }
        var wanted: [[Int]: Set<Int>] = [:]
        var order: [[Int]] = []
        for query in queries {
            let key = key(query.context)
            if let hit = entries[key], hit.covers(query.tokens) { continue }
            if wanted[key] == nil { order.append(key) }
            wanted[key, default: []].formUnion(query.tokens)
        }
        guard !order.isEmpty else { return }
        if entries.count + order.count > Self.capacity { entries.removeAll(keepingCapacity: true) }
        // What an entry already holds is asked again with the rest, so an entry is one answer.
        let asked = order.map { key in
            TokenQuery(context: key, tokens: wanted[key]!.union(entries[key]?.picked.map { Array($0.keys) } ?? []).sorted())
        }
        let answers = try served.tokenLogProbabilities(asked, settings: settings)
        for (query, answer) in zip(asked, answers) {
            var picked: [Int: (raw: Double, decoded: Double)] = [:]
            for (k, token) in query.tokens.enumerated() { picked[token] = (answer.raw[k], answer.decoded[k]) }
            entries[query.context] = Step(raw: nil, pointwise: nil, picked: picked, temperature: settings.temperature, normaliser: 0, filtered: nil)
        }
    }
}

/// Decoded next-token distributions of one model under one decoding, cached by context:
/// a reference type so that several scorers (for example every drift component of one base)
/// share the work for one prompt. Not thread-safe: one per thread.
public final class DecodedStepCache {
    public let model: any LanguageModel
    private var cache: DistributionCache

    public init(model: any LanguageModel, settings: DecodingSettings) {
        self.model = model
        self.cache = DistributionCache(settings: settings, window: model.contextWindow)
    }

    /// The decoded log-probability function (natural log) of the next token after `context`.
    func step(context: [Int]) -> DistributionCache.Step { cache.step(context: context, model: model) }

    /// Fetches, in one batch, what `step` will be asked of the queries' contexts and tokens,
    /// for a model served in batches (see `DistributionCache.prefetch`).
    public func prefetch(_ queries: [TokenQuery]) throws { try cache.prefetch(queries, model: model) }

    /// Natural-log decoded probability of `token` after `context`.
    public func decodedLogProbability(of token: Int, after context: [Int]) -> Double {
        step(context: context).decoded(token)
    }
}

/// How an API turns a model's next-token distribution into a sampled continuation.
///
/// The defaults are MLMAC's, as inferred from the real responses: sampling at temperature 3.0,
/// no top-k/top-p, and a length limit of 20 tokens of the model's own tokenizer *including the
/// prompt* (Hugging Face's `max_length` of 2022), with at least one new token when the prompt
/// is already that long. Note that Hugging Face's `generate` also applied `top_k = 50` by
/// default when sampling; set `topK: 50` to simulate that.
public struct DecodingSettings: Sendable, Hashable, Codable {
    /// Softmax temperature: the decoded distribution is softmax(log p / T). Must be > 0.
    public var temperature: Double
    /// Keep only the `topK` most likely tokens (after temperature); nil keeps all.
    public var topK: Int?
    /// Keep the smallest most-likely set with probability mass >= `topP` (after temperature
    /// and top-k); nil keeps all.
    public var topP: Double?
    /// Upper bound on new tokens; nil for none.
    public var maxNewTokens: Int?
    /// Upper bound on prompt plus new tokens, counted in the model's own tokens; nil for none.
    public var maxTotalTokens: Int?
    /// New tokens allowed even when the prompt already reaches `maxTotalTokens`.
    public var minNewTokens: Int
    /// Seed of the sampling stream, for calls that do not pass a generator.
    public var seed: UInt64

    /// The length limit used when neither `maxNewTokens` nor `maxTotalTokens` is set.
    public static let unboundedNewTokenCap = 4096

    public init(
        temperature: Double = 3.0, topK: Int? = nil, topP: Double? = nil, maxNewTokens: Int? = nil,
        maxTotalTokens: Int? = 20, minNewTokens: Int = 1, seed: UInt64 = 0
    ) {
        precondition(temperature > 0 && temperature.isFinite, "temperature must be positive and finite")
        precondition(topK.map { $0 >= 1 } ?? true, "topK must be at least 1")
        precondition(topP.map { $0 > 0 && $0 <= 1 } ?? true, "topP must be in (0, 1]")
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.maxNewTokens = maxNewTokens
        self.maxTotalTokens = maxTotalTokens
        self.minNewTokens = minNewTokens
        self.seed = seed
    }

    /// MLMAC's decoding (the defaults).
    public static let mlmac = DecodingSettings()

    /// The most new tokens a generation may have after a prompt of `promptTokenCount` tokens:
    /// `max(minNewTokens, maxTotalTokens - promptTokenCount)`, capped by `maxNewTokens`.
    public func newTokenLimit(promptTokenCount: Int) -> Int {
        var limit = Self.unboundedNewTokenCap
        if let maxTotalTokens { limit = max(minNewTokens, maxTotalTokens - promptTokenCount) }
        if let maxNewTokens { limit = min(limit, maxNewTokens) }
        return max(0, limit)
    }

    /// The decoded next-token distribution (natural log, over the full vocabulary) from the
    /// model's raw one: temperature, then top-k, then top-p, renormalised. Removed tokens get
    /// -infinity. Ties at the top-k boundary are broken towards the smaller token id.
    public func decodedLogProbabilities(raw: [Double]) -> [Double] {
        let scaled = raw.map { $0 / temperature }
        var keep: [Bool]? = nil
        if topK != nil || topP != nil {
            let order = scaled.indices.sorted { scaled[$0] != scaled[$1] ? scaled[$0] > scaled[$1] : $0 < $1 }
            var kept = min(topK ?? order.count, order.count)
            if let topP {
                let normaliser = logSumExp(order.prefix(kept).map { scaled[$0] })
                var mass = 0.0
                var needed = 0
                for index in order.prefix(kept) {
                    mass += cExp(scaled[index] - normaliser)
                    needed += 1
                    if mass >= topP { break }
                }
                kept = max(1, needed)
            }
            var mask = [Bool](repeating: false, count: scaled.count)
            for index in order.prefix(kept) { mask[index] = true }
            keep = mask
        }
        var filtered = scaled
        if let keep {
            for index in filtered.indices where !keep[index] { filtered[index] = -.infinity }
        }
        let normaliser = logSumExp(filtered)
        return filtered.map { $0 - normaliser }
    }
}

/// log(sum(exp(values))), stable; -infinity for an empty or all -infinity input.
public func logSumExp(_ values: [Double]) -> Double {
    guard let top = values.max(), top > -.infinity else { return -.infinity }
    var sum = 0.0
    for value in values { sum += cExp(value - top) }
    return top + cLog(sum)
}

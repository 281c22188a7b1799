import LanguageModels

/// Figure (a): how long the fine-tunes' continuations are, in characters, next to the real
/// round-1 responses, computed by the same code.
extension ZooFigures {
    /// A character-length distribution of continuations. Lengths count Unicode scalars
    /// (code points, like Python's `len`); quantiles are nearest-rank (the smallest length
    /// with at least the fraction q of the continuations at or below it), the median is the
    /// midpoint of the two middle lengths for an even count (like Python's `statistics.median`).
    public struct LengthDistribution: Codable, Sendable, Hashable {
        public var label: String
        /// Number of continuations.
        public var count: Int
        /// Median length in characters.
        public var median: Double
        /// Nearest-rank quantiles in characters.
        public var p75: Int, p89: Int, p90: Int, p95: Int, p99: Int
        /// Longest continuation in characters.
        public var max: Int
        /// Fraction (0...1) of continuations of at most 5 characters.
        public var shareAtMost5: Double

        /// The distribution of `lengths` (characters); an empty list gives all zeros.
        public init(label: String, lengths: [Int]) {
            let sorted = lengths.sorted()
            self.label = label
            count = sorted.count
            if sorted.isEmpty {
                median = 0
            } else if sorted.count % 2 == 1 {
                median = Double(sorted[sorted.count / 2])
            } else {
                median = Double(sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
            }
            func rank(_ permille: Int) -> Int { Self.nearestRank(sorted, permille: permille) }
            p75 = rank(750)
            p89 = rank(890)
            p90 = rank(900)
            p95 = rank(950)
            p99 = rank(990)
            max = sorted.last ?? 0
            shareAtMost5 = sorted.isEmpty ? 0 : Double(sorted.count { $0 <= 5 }) / Double(sorted.count)
        }

        /// The nearest-rank quantile at `permille`/1000 of ascending `sorted`, 0 when empty.
        static func nearestRank(_ sorted: [Int], permille: Int) -> Int {
            guard !sorted.isEmpty else { return 0 }
            let k = (permille * sorted.count + 999) / 1000 - 1
            return sorted[Swift.max(0, Swift.min(sorted.count - 1, k))]
        }
    }

    /// One fine-tune's continuations to the round-1 prompts.
    public struct ModelLengths: Codable, Sendable, Hashable {
        public var id: Int
        public var name: String
        public var tokenizer: String
        /// Length limit in the model's tokens, prompt included (nil: none).
        public var maxTotalTokens: Int?
        public var lengths: LengthDistribution
        /// Fraction (0...1) of continuations that ended by sampling end-of-text rather than at
        /// the length limit.
        public var endedByEndOfText: Double
        /// Fraction (0...1) whose sampled bytes are valid UTF-8. The rest contain a lone byte
        /// token that decodes to U+FFFD, so their text cannot re-encode to the sampled tokens.
        public var validUTF8: Double
        /// Fraction (0...1) whose text, re-encoded by the model's own tokenizer, gives back
        /// exactly the sampled tokens (what exact scoring from the boundary relies on).
        public var reEncodesExactly: Double
    }

    /// Figure (a): simulated rows (per long-writing fine-tune, the rest, all) and the same rows
    /// for the real responses, plus per-model detail.
    public struct LengthReport: Codable, Sendable, Hashable {
        public var prompts: Int
        public var samplesPerPrompt: Int
        public var simulated: [LengthDistribution]
        public var real: [LengthDistribution]
        public var models: [ModelLengths]
    }

    /// Samples every fine-tune `samplesPerPrompt` times on each of `prompts` (the real round-1
    /// prompts) and summarises the continuation lengths beside `realResponses`, the real
    /// continuations by round-1 model id. `realLongWriters` names the real models reported on
    /// their own (round 1: model 10, whose configuration allowed 250 tokens).
    public func continuationLengths(
        prompts: [String], samplesPerPrompt: Int, realResponses: [Int: [String]], realLongWriters: Set<Int>
    ) -> LengthReport {
        let long = Set(longWriters)
        var models: [ModelLengths] = []
        var byModel: [Int: [Int]] = [:]
        for record in manifest.fineTunes {
            let generations = sample(model: record.id, prompts: prompts, samplesPerPrompt: samplesPerPrompt, figure: "lengths")
                .flatMap { $0 }
            let tokenizer = fineTunes[record.id].tokenizer
            let lengths = generations.map { $0.text.unicodeScalars.count }
            byModel[record.id] = lengths
            let total = Double(Swift.max(1, generations.count))
            models.append(ModelLengths(
                id: record.id, name: record.model.name, tokenizer: record.model.tokenizer,
                maxTotalTokens: record.decoding.maxTotalTokens,
                lengths: LengthDistribution(label: "model \(record.id)", lengths: lengths),
                endedByEndOfText: Double(generations.count { $0.endedWithEndOfText }) / total,
                validUTF8: Double(generations.count { Array($0.text.utf8) == tokenizer.decodeBytes($0.tokens) }) / total,
                reEncodesExactly: Double(generations.count { tokenizer.encode($0.text) == $0.tokens }) / total))
        }
        let simulated = Self.rows(byModel: byModel, long: long, prefix: "simulated") { id in
            "simulated model \(id) (\(manifest.fineTunes[id].model.name), \(manifest.fineTunes[id].decoding.maxTotalTokens.map { "\($0)" } ?? "no") tokens)"
        }
        let real = Self.rows(byModel: realResponses.mapValues { $0.map { $0.unicodeScalars.count } }, long: realLongWriters, prefix: "real") { id in
            "real round 1 model \(id)"
        }
        return LengthReport(prompts: prompts.count, samplesPerPrompt: samplesPerPrompt, simulated: simulated, real: real, models: models)
    }

    /// Rows: each long writer alone, everything else, everything.
    static func rows(byModel: [Int: [Int]], long: Set<Int>, prefix: String, label: (Int) -> String) -> [LengthDistribution] {
        let ids = byModel.keys.sorted()
        var rows = ids.filter(long.contains).map { LengthDistribution(label: label($0), lengths: byModel[$0]!) }
        if !rows.isEmpty {
            rows.append(LengthDistribution(label: "\(prefix), all but long writers",
                                           lengths: ids.filter { !long.contains($0) }.flatMap { byModel[$0]! }))
        }
        rows.append(LengthDistribution(label: "\(prefix), all models", lengths: ids.flatMap { byModel[$0]! }))
        return rows
    }
}

import LanguageModels

/// Figure (b): each fine-tune's temperature-3 responses to held-out prompts, scored under
/// every candidate base from the exact prompt/response boundary (each base with its own
/// tokenizer), with the true base's rank.
extension ZooFigures {
    /// Natural-log penalty per response token beyond a base's length limit, the same as
    /// `Engine.EvidenceScorer.excessTokenLogPenalty` (a response longer than a base may write
    /// could not have come from it, up to tokenization differences).
    public static let excessTokenLogPenalty = -12.0

    /// One fine-tune's responses scored under one base.
    public struct Cell: Codable, Sendable, Hashable {
        /// Mean raw log-likelihood per response token under the base, natural log (nats per
        /// token; end-of-text excluded). Not comparable across tokenizers: a base with longer
        /// tokens spends more nats on each.
        public var perTokenRaw: Double
        /// Mean total decoded (temperature-scaled) log-likelihood per response, natural log:
        /// every token, the end-of-text term when the response ended before the base's length
        /// limit, and `excessTokenLogPenalty` per token beyond that limit. Tokenizer-neutral:
        /// every base scores the same text, so this ranks bases the way the attribution engine does.
        public var totalDecoded: Double
        /// Mean number of the base's tokens per response.
        public var tokensPerResponse: Double
        /// Responses with more of the base's tokens than its length limit allows.
        public var overLimit: Int
    }

    /// One fine-tune's row: a cell per base (manifest order) and the true base's rank.
    public struct Row: Codable, Sendable, Hashable {
        public var id: Int
        public var name: String
        /// The true candidate base, nil for `None`.
        public var trueBase: String?
        /// Index of the true base in `DistinguishabilityTable.bases`, nil for `None`.
        public var trueBaseIndex: Int?
        public var cells: [Cell]
        /// 1-based rank of the true base by `perTokenRaw` and by `totalDecoded` (1 = highest),
        /// nil for `None`. Ties count against the true base.
        public var rankPerToken: Int?
        public var rankTotal: Int?
        /// The best-scoring base other than the true one by `totalDecoded`, and its lead over
        /// the true base in nats per response (negative when the true base leads).
        public var runnerUp: String
        public var runnerUpLead: Double
    }

    /// Figure (b) for the whole zoo.
    public struct DistinguishabilityTable: Codable, Sendable, Hashable {
        public var bases: [String]
        public var prompts: [String]
        public var samplesPerPrompt: Int
        public var rows: [Row]

        /// Fine-tunes with a candidate base whose true base ranks first, and in the top two,
        /// by total decoded log-likelihood; then the same by per-token raw log-likelihood.
        public var summary: (withBase: Int, firstTotal: Int, topTwoTotal: Int, firstPerToken: Int, topTwoPerToken: Int) {
            let ranked = rows.filter { $0.trueBase != nil }
            return (ranked.count, ranked.count { $0.rankTotal == 1 }, ranked.count { ($0.rankTotal ?? 99) <= 2 },
                    ranked.count { $0.rankPerToken == 1 }, ranked.count { ($0.rankPerToken ?? 99) <= 2 })
        }
    }

    /// Samples `samplesPerPrompt` responses of every fine-tune to each of `prompts` (held out
    /// from every model's training text) at the fine-tune's decoding settings, and scores them
    /// under every base with those settings.
    public func distinguishability(prompts: [String], samplesPerPrompt: Int) -> DistinguishabilityTable {
        let baseNames = manifest.bases.map(\.name)
        var rows: [Row] = []
        for record in manifest.fineTunes {
            let settings = record.decoding
            let texts = sample(model: record.id, prompts: prompts, samplesPerPrompt: samplesPerPrompt, figure: "distinguish")
                .map { $0.map(\.text) }
            let cells = bases.map { base in Self.cell(base: base, prompts: prompts, responses: texts, settings: settings) }
            rows.append(Self.row(record: record, truth: manifest.answerKey[record.id].base, bases: baseNames, cells: cells))
        }
        return DistinguishabilityTable(bases: baseNames, prompts: prompts, samplesPerPrompt: samplesPerPrompt, rows: rows)
    }

    /// Scores `responses[i]` (the responses to `prompts[i]`) under `base`.
    static func cell(base: NGramLanguageModel, prompts: [String], responses: [[String]], settings: DecodingSettings) -> Cell {
        var rawSum = 0.0, decodedSum = 0.0
        var tokens = 0, count = 0, overLimit = 0
        for (prompt, texts) in zip(prompts, responses) {
            for score in base.scoreContinuations(prompt: prompt, continuations: texts, settings: settings) {
                rawSum += score.rawLogProbabilities.reduce(0, +)
                let excess = max(0, score.tokenCount - score.newTokenLimit)
                decodedSum += score.totalDecodedLogProbability + Double(excess) * excessTokenLogPenalty
                if excess > 0 { overLimit += 1 }
                tokens += score.tokenCount
                count += 1
            }
        }
        return Cell(perTokenRaw: tokens > 0 ? rawSum / Double(tokens) : 0, totalDecoded: count > 0 ? decodedSum / Double(count) : 0,
                    tokensPerResponse: count > 0 ? Double(tokens) / Double(count) : 0, overLimit: overLimit)
    }

    static func row(record: ZooManifest.FineTuneRecord, truth: String?, bases: [String], cells: [Cell]) -> Row {
        let trueIndex = truth.flatMap { bases.firstIndex(of: $0) }
        func rank(_ value: (Cell) -> Double) -> Int? {
            trueIndex.map { t in 1 + cells.indices.count { $0 != t && value(cells[$0]) >= value(cells[t]) } }
        }
        // Runner-up: the best base other than the truth (for None, simply the best base).
        let others = cells.indices.filter { $0 != trueIndex }
        let best = others.max { cells[$0].totalDecoded < cells[$1].totalDecoded || (cells[$0].totalDecoded == cells[$1].totalDecoded && $0 > $1) }
        let lead = best.map { b in trueIndex.map { cells[b].totalDecoded - cells[$0].totalDecoded } ?? 0 } ?? 0
        return Row(id: record.id, name: record.model.name, trueBase: truth, trueBaseIndex: trueIndex, cells: cells,
                   rankPerToken: rank(\.perTokenRaw), rankTotal: rank(\.totalDecoded),
                   runnerUp: best.map { bases[$0] } ?? "", runnerUpLead: lead)
    }
}

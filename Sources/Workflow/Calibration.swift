import AttributionCore
import Engine
import Foundation
import LanguageModels

/// Fits the observation model's tempering power `beta`, and with it the soft cap on one
/// answer's log-odds shift (`LikelihoodCap`), on fine-tunes of known provenance built for
/// calibration only (never the fine-tunes being evaluated).
///
/// Each candidate base is fine-tuned on calibration domain text at a light and a heavy
/// strength; `None` is represented by models trained on that text with tokenizers of their
/// own (`unlistedModel`), none of the candidates and none of the `None` references.
/// Each calibration model answers `responsesPerModel` pool prompts; every answer is scored
/// under every state at beta = 1. For a candidate beta the log posterior after k answers is
/// `log prior + sum of capped(beta * scores)`; the fit maximises the mean log posterior probability
/// of the true hypothesis over all models and all k (a proper scoring rule, so the fitted
/// posterior is as sharp as the evidence warrants and no sharper).
public struct Calibration: Codable, Sendable, Equatable {
    public var beta: Double
    /// The fitted (or given) cap in nats on one answer's log-odds shift; nil: none.
    public var cap: Double?
    /// Mean log probability (natural log) of the true hypothesis at the fitted beta.
    public var logScore: Double
    /// Mean log score at beta = 1, for comparison.
    public var logScoreAtOne: Double
    public var models: Int
    public var responses: Int
    /// Calibration table at the fitted beta: stated confidence bins against accuracy of the MAP answer.
    public var bins: [CalibrationBin]

    public struct CalibrationBin: Codable, Sendable, Equatable {
        public var lower: Double
        public var upper: Double
        public var count: Int
        public var accuracy: Double
    }

    /// Betas tried by the fit.
    public static let betaGrid: [Double] = [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    /// Caps tried by the fit when the settings give none (nil: no cap).
    public static let capGrid: [Double?] = [nil, 8, 6, 4, 3, 2, 1.5, 1]

    /// Recipes of the calibration's `None` models, used in turn.
    public static let unlistedRecipes: [(tokenizer: TokenizerConfiguration, order: Int)] = [
        (.word(vocabularySize: 3000), 2),
        (.bpe(vocabularySize: 2000), 3),
    ]

    /// The `k`-th calibration model whose answer is `None`: a model of its own tokenizer trained
    /// on the calibration text, so that it is none of the candidates *and none of the None
    /// references*. (A fine-tune of a reference would be explained by the reference itself,
    /// which no real unlisted model is; calibrating on it made one answer of a word model look
    /// like proof.)
    static func unlistedModel(_ k: Int, documents: [String]) throws -> NGramLanguageModel {
        let recipe = unlistedRecipes[k % unlistedRecipes.count]
        return try NGramLanguageModel(tokenizer: recipe.tokenizer, order: recipe.order, documents: documents)
    }

    /// The cap as people read it: "4.0 nats" or "none".
    public var capDescription: String { cap.map { String(format: "%.1f nats", $0) } ?? "none" }

    /// The caps a fit tries under `settings`: the one given, or the whole grid.
    static func caps(_ settings: EngineSettings) -> [Double?] { settings.answerCap.map { [$0] } ?? capGrid }

    /// Builds the calibration models, gathers their scored answers and fits beta and the cap.
    /// - Parameters:
    ///   - domains: calibration domain documents (not the evaluated fine-tunes' text).
    ///   - strengths: fine-tuning strengths of the calibration models.
    public static func fit(models: HypothesisModels, settings: EngineSettings, pool: PromptPool, domains: [String],
                           strengths: [Double] = [0.2, 0.6], responsesPerModel: Int = 12, seed: UInt64) throws -> Calibration {
        var observation = settings.observation
        observation.beta = 1
        let space = settings.space(models: models)
        let scorer = settings.answerScorer(models: models)
        var trajectories = [(truth: Int, scores: [[Double]])]()
        var rng = SeededGenerator(seed: seed ^ 0xCA11_B8A7)
        let noneIndex = models.hasNone ? models.count - 1 : nil
        for (h, group) in models.components.enumerated() {
            guard let base = group[0].model as? NGramLanguageModel else { continue }
            for (k, strength) in strengths.enumerated() {
                let tuned = h == noneIndex
                    ? try unlistedModel(k, documents: domains)
                    : try base.fineTuned(on: domains, strength: strength, seed: seed &+ UInt64(h * 10 + k))
                var scores = [[Double]]()
                for _ in 0..<responsesPerModel {
                    let prompt = pool.prompts[Int(rng.next() % UInt64(pool.count))]
                    let response = tuned.sample(prompt: prompt, settings: models.settings, using: &rng).text
                    scores.append(scorer.logLikelihoods(prompt: prompt, responses: [response], observation: observation, space: space)[0])
                }
                trajectories.append((h, scores))
            }
        }
        func logScore(_ beta: Double, _ capNats: Double?, bins: inout [CalibrationBin]) -> Double {
            let cap = LikelihoodCap(nats: capNats)
            var total = 0.0, count = 0
            for t in trajectories {
                var posterior = Posterior(space: space)
                for s in t.scores {
                    try? posterior.update(logLikelihoods: cap.apply(s.map { beta * $0 }))
                    total += posterior.logMarginal[t.truth]
                    count += 1
                    let (map, p) = posterior.mapHypothesis
                    if let b = bins.firstIndex(where: { p >= $0.lower && p < $0.upper }) {
                        let right = map == t.truth ? 1.0 : 0.0
                        bins[b].accuracy = (bins[b].accuracy * Double(bins[b].count) + right) / Double(bins[b].count + 1)
                        bins[b].count += 1
                    }
                }
            }
            return total / Double(max(1, count))
        }
        let edges = [0.0, 0.5, 0.8, 0.9, 0.95, 0.99, 1.0000001]
        let emptyBins = (0..<(edges.count - 1)).map { CalibrationBin(lower: edges[$0], upper: edges[$0 + 1], count: 0, accuracy: 0) }
        var best = (beta: 1.0, cap: Double?.none, score: -Double.infinity)
        for beta in betaGrid {
            for cap in caps(settings) {
                var scratch = emptyBins
                let s = logScore(beta, cap, bins: &scratch)
                if s > best.score { best = (beta, cap, s) }
            }
        }
        var bins = emptyBins
        let fitted = logScore(best.beta, best.cap, bins: &bins)
        var ignored = emptyBins
        return Calibration(beta: best.beta, cap: best.cap, logScore: fitted, logScoreAtOne: logScore(1, nil, bins: &ignored),
                           models: trajectories.count, responses: trajectories.count * responsesPerModel, bins: bins)
    }
}

extension Calibration {
    /// A fingerprint of everything `fit` depends on: every model's identity, the decoding and
    /// observation settings, the scorer, the pool, the calibration text and the seed.
    public static func fingerprint(models: HypothesisModels, settings: EngineSettings, pool: PromptPool, domains: [String],
                                   strengths: [Double] = [0.2, 0.6], responsesPerModel: Int = 12, seed: UInt64) -> String {
        var h = StableHash()
        h.combine("attrib-calibration-v2")
        models.combineIdentities(into: &h)
        h.combine("\(models.settings)")
        h.combine("eps=\(settings.eps) grid=\(settings.latentGrid) none=\(settings.noneMass) beam=\(settings.segmentationBeam)")
        h.combine("strengths=\(strengths) answers=\(responsesPerModel) seed=\(seed) betas=\(betaGrid) caps=\(caps(settings))")
        for prompt in pool.prompts { h.combine(prompt) }
        for document in domains { h.combine(document) }
        return h.hex
    }

    /// `fit`, reusing `DIR/calibration-<fingerprint>.json` when a previous fit with the same
    /// inputs left one there (the fit is deterministic), and writing it otherwise.
    public static func fitOrLoad(cacheDirectory: URL, models: HypothesisModels, settings: EngineSettings, pool: PromptPool,
                                 domains: [String], responsesPerModel: Int = 12, seed: UInt64) throws -> (calibration: Calibration, cached: Bool) {
        let key = fingerprint(models: models, settings: settings, pool: pool, domains: domains, responsesPerModel: responsesPerModel, seed: seed)
        let url = cacheDirectory.appendingPathComponent("calibration-\(key.prefix(16)).json")
        if let data = try? Data(contentsOf: url), let cached = try? JSONDecoder().decode(Calibration.self, from: data) {
            return (cached, true)
        }
        let fitted = try fit(models: models, settings: settings, pool: pool, domains: domains, responsesPerModel: responsesPerModel, seed: seed)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try atomicWrite(try encoder.encode(fitted), to: url)
        return (fitted, false)
    }
}

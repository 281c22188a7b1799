import AttributionCore
import Common
import Engine
import Foundation
import LanguageModels

/// Fits the observation model's tempering power `beta`, and with it the soft cap on one
/// answer's log-odds shift (`LikelihoodCap`), on models of known provenance built for
/// calibration only (never the fine-tunes being evaluated).
///
/// Each candidate base is fine-tuned on calibration domain text at a light and a heavy
/// strength, and toward text sampled from another candidate (`crossPartner`, `drifted`): a
/// fine-tune whose domain resembles another base's training text, the case that misleads.
/// `None` is represented by models trained on that text with tokenizers of their own
/// (`unlistedModel`), none of the candidates and none of the `None` references, and by such
/// models fine-tuned toward a candidate's own text (`drifted`): the unlisted model whose
/// answers resemble a candidate's is the one that fools the scorer.
/// Each calibration model answers `responsesPerModel` pool prompts; every answer is scored
/// under every state at beta = 1. For a candidate (beta, cap) the log posterior after k
/// answers is `log prior + sum of capped(beta * scores)`. The fit maximises the mean log
/// posterior probability of the true hypothesis over all models and all k (a proper scoring
/// rule) among the pairs whose stated confidence is honest: of the calibration models whose
/// posterior first reaches the stopping threshold, at least `honestyTarget` are right.
public struct Calibration: Codable, Sendable, Equatable {
    public var beta: Double
    /// The fitted (or given) cap in nats on one answer's log-odds shift; nil: none.
    public var cap: Double?
    /// Per-hypothesis offsets in nats per answer (`None` last), fitted when the settings ask
    /// for them (`EngineSettings.hypothesisOffsets`) and kept only when they improve the fit; nil: none.
    public var offsets: [Double]?
    /// Mean log probability (natural log) of the true hypothesis at the fitted beta.
    public var logScore: Double
    /// Mean log score at beta = 1, for comparison.
    public var logScoreAtOne: Double
    public var models: Int
    public var responses: Int
    /// Calibration models whose posterior reached the stopping threshold at the fitted values,
    /// and how many of them were right there (the honesty the fit protects).
    public var stops: Int
    public var stopsRight: Int
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
    /// Share of the calibration models stopped at the threshold that must be right for a
    /// (beta, cap) pair to be eligible. Above the 90% the tool promises, because the
    /// calibration models are kinder than the unknown ones.
    public static let honestyTarget = 0.95
    /// Unlisted `None` calibration models fine-tuned toward a candidate's text (the candidates
    /// are spread evenly over the list).
    public static let driftedUnlistedCount = 6
    /// Fine-tuning strength of those models, and the documents sampled from the candidate.
    static let driftStrength = 0.4
    static let driftDocuments = 150

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

    /// `model` fine-tuned at `driftStrength` on `driftDocuments` texts sampled from `other` at
    /// temperature 1. For an unlisted model (an `unlistedModel`) drifted toward a candidate, as
    /// one fine-tuned on text like the candidate's training text would be: its answers are
    /// `None`, yet the candidate explains them better than the references do. For a candidate
    /// drifted toward another: its answers pull toward the wrong base.
    static func drifted(_ model: any FineTunableLanguageModel, toward other: any LanguageModel, seed: UInt64) throws -> any FineTunableLanguageModel {
        var rng = SeededGenerator(seed: seed)
        let settings = DecodingSettings(temperature: 1, maxNewTokens: 60, maxTotalTokens: nil)
        let texts: [String]
        if let batch = other as? any BatchServedLanguageModel {
            // One request for all of them (each with its own seed), not a request per token.
            let requests = (0..<driftDocuments).map { _ in SamplingRequest(prompt: [], seed: rng.next()) }
            texts = try batch.sampleBatch(requests, settings: settings).map(\.text).filter { !$0.isEmpty }
        } else {
            texts = (0..<driftDocuments).map { _ in other.sample(prompt: "", settings: settings, using: &rng).text }.filter { !$0.isEmpty }
        }
        return try model.tuned(toward: texts, strength: driftStrength, seed: seed)
    }

    /// The candidate whose text candidate `h` of `count` is fine-tuned toward in its cross-drifted
    /// calibration model: half the list away, so usually another family, not a near relative.
    static func crossPartner(of h: Int, count: Int) -> Int { (h + max(1, count / 2)) % count }

    /// The cap as people read it: "4.0 nats" or "none".
    public var capDescription: String { cap.map { String(format: "%.1f nats", $0) } ?? "none" }

    /// The offsets as people read them: ", hypothesis offsets -0.12 to 0.31 nats per answer" or "".
    public var offsetsDescription: String {
        guard let offsets, let low = offsets.min(), let high = offsets.max() else { return "" }
        return String(format: ", hypothesis offsets %.2f to %.2f nats per answer", low, high)
    }

    /// One line for a person: the fitted values and what they rest on.
    public func summary(cached: Bool) -> String {
        String(format: "calibration%@: beta = %.2f, answer cap %@%@ (mean log score %.3f; %.3f at beta 1; %d of %d threshold stops right) from %d models, %d answers",
               cached ? " (cached)" : "", beta, capDescription, offsetsDescription, logScore, logScoreAtOne, stopsRight, stops, models, responses)
    }

    /// Share of the threshold stops that were right (1 when none stopped).
    public var stopAccuracy: Double { stops == 0 ? 1 : Double(stopsRight) / Double(stops) }

    /// The caps a fit tries under `settings`: the one given, or the whole grid.
    static func caps(_ settings: EngineSettings) -> [Double?] { settings.observation.answerCap.map { [$0] } ?? capGrid }

    /// Builds the calibration models, gathers their scored answers and fits beta and the cap.
    /// - Parameters:
    ///   - domains: calibration domain documents (not the evaluated fine-tunes' text).
    ///   - strengths: fine-tuning strengths of the calibration models.
    ///   - progress: a line per calibration model made and when the answers are scored (a
    ///     fit on real bases fine-tunes each on its worker: minutes each).
    public static func fit(models: HypothesisModels, settings: EngineSettings, pool: PromptPool, domains: [String],
                           strengths: [Double] = [0.2, 0.6], responsesPerModel: Int, seed: UInt64,
                           progress: (String) -> Void = { _ in }) throws -> Calibration {
        var observation = settings.observation.driftMixture
        observation.beta = 1
        let space = settings.observation.space(models: models)
        let scorer = settings.observation.answerScorer(models: models)
        var rng = SeededGenerator(seed: seed ^ 0xCA11_B8A7)
        // Answers are drawn in order (one generator), then scored on every core.
        var answers = [(truth: Int, prompt: String, response: String)]()
        // A model served in batches draws a model's answers in one batch, each seeded by one
        // draw of the generator.
        func answer(_ truth: Int, _ model: any LanguageModel) throws {
            guard let served = model as? any BatchServedLanguageModel else {
                for _ in 0..<responsesPerModel {
                    let prompt = pool.prompts[Int(rng.next() % UInt64(pool.count))]
                    answers.append((truth, prompt, model.sample(prompt: prompt, settings: models.settings, using: &rng).text))
                }
                return
            }
            let drawn = (0..<responsesPerModel).map { _ in (prompt: pool.prompts[Int(rng.next() % UInt64(pool.count))], seed: rng.next()) }
            let generated = try served.sampleBatch(drawn.map { SamplingRequest(prompt: served.tokenizer.encode($0.prompt), seed: $0.seed) },
                                                   settings: models.settings)
            for (d, g) in zip(drawn, generated) { answers.append((truth, d.prompt, g.text)) }
        }
        let candidates = models.hasNone ? models.count - 1 : models.count
        let total = candidates * (strengths.count + (candidates > 1 ? 1 : 0))
            + (models.hasNone ? unlistedRecipes.count + min(driftedUnlistedCount, candidates) : 0)
        var made = 0
        func answer(_ truth: Int, _ model: any LanguageModel, _ what: String) throws {
            made += 1
            progress("calibration model \(made) of \(total): \(what)")
            try answer(truth, model)
            // Only its answers are needed from here on (a fine-tune on a worker is unloaded).
            try (model as? any ReleasableLanguageModel)?.release()
        }
        for h in 0..<candidates {
            guard let base = models.components[h][0].model as? any FineTunableLanguageModel else {
                throw FineTuningUnavailable(step: "calibration", model: models.baseNames[h],
                                            remedy: "run with --no-calibration and give --beta and --answer-cap")
            }
            for (k, strength) in strengths.enumerated() {
                try answer(h, try base.tuned(toward: domains, strength: strength, seed: seed &+ UInt64(h * 10 + k)),
                           "\(models.baseNames[h]) fine-tuned toward the calibration text at strength \(strength)")
            }
            // Toward text sampled from another candidate: a domain that resembles another base's
            // training text, the case that pulls a fine-tune toward the wrong base.
            if candidates > 1 {
                let other = models.components[crossPartner(of: h, count: candidates)][0].model
                try answer(h, try drifted(base, toward: other, seed: seed &+ 104_729 &* UInt64(h + 1)),
                           "\(models.baseNames[h]) fine-tuned toward text sampled from \(models.baseNames[crossPartner(of: h, count: candidates)])")
            }
        }
        if models.hasNone {
            // Trained once per recipe (a BPE vocabulary takes seconds), then reused.
            let unlisted = try unlistedRecipes.indices.map { try unlistedModel($0, documents: domains) }
            for (k, model) in unlisted.enumerated() { try answer(candidates, model, "unlisted model \(k + 1) (None)") }
            let driftedCount = min(driftedUnlistedCount, candidates)
            for k in 0..<driftedCount {
                let toward = models.components[k * candidates / driftedCount][0].model
                try answer(candidates, try drifted(unlisted[k % unlisted.count], toward: toward, seed: seed &+ 7919 &* UInt64(k + 1)),
                           "unlisted model fine-tuned toward text sampled from \(models.baseNames[k * candidates / driftedCount]) (None)")
            }
        }
        progress("calibration: scoring \(answers.count) answers under every hypothesis")
        let drawn = answers, atOne = observation
        let scores: [[Double]]
        if settings.observation.answerDrift {
            // Each model's answers scored with drift learned from its other answers, as a run does.
            scores = stride(from: 0, to: drawn.count, by: responsesPerModel).flatMap { start in
                var history = AnswerHistory()
                for a in drawn[start..<(start + responsesPerModel)] { history.append(prompt: a.prompt, response: a.response, models: models) }
                return scorer.leaveOneOutLogLikelihoods(history: history, indices: Array(0..<responsesPerModel), observation: atOne, space: space)
            }
        } else {
            scores = try scorer.logLikelihoodsInWalks(pairs: drawn.map { ($0.prompt, $0.response) }, observation: atOne, space: space)
        }
        let trajectories = stride(from: 0, to: drawn.count, by: responsesPerModel).map {
            CalibrationTrajectory(truth: drawn[$0].truth, scores: Array(scores[$0..<($0 + responsesPerModel)]))
        }
        return fit(trajectories: trajectories, space: space, caps: caps(settings), threshold: settings.stopping.threshold,
                   responsesPerModel: responsesPerModel, offsets: settings.calibration.hypothesisOffsets)
    }
}

extension Calibration {
    /// The settings `fit` reads (their values enter the fingerprint).
    static let settingsRead = ["eps", "latentGrid", "noneMass", "segmentationBeam", "answerDrift", "answerCap", "hypothesisOffsets", "threshold"]

    /// A fingerprint of everything `fit` depends on: every model's identity, the decoding and
    /// observation settings, the scorer, the pool, the calibration text and the seed.
    public static func fingerprint(models: HypothesisModels, settings: EngineSettings, pool: PromptPool, domains: [String],
                                   strengths: [Double] = [0.2, 0.6], responsesPerModel: Int, seed: UInt64) -> String {
        var h = StableHash()
        h.combine("attrib-calibration-v3")
        models.combineIdentities(into: &h)
        // Models served in batches draw their calibration answers in one seeded batch each
        // (since that way was introduced; an n-gram zoo's fits keep their keys).
        if models.components.joined().contains(where: { $0.model is any BatchServedLanguageModel }) { h.combine("batch-drawn answers v1") }
        h.combine("\(models.settings)")
        h.combine(settings.fingerprint(of: settingsRead))
        if settings.calibration.hypothesisOffsets { h.combine("offsets penalty=\(offsetPenalty) steps=\(offsetIterations)") }
        h.combine("strengths=\(strengths) answers=\(responsesPerModel) seed=\(seed) betas=\(betaGrid) caps=\(caps(settings))")
        h.combine("honesty=\(honestyTarget) drifted=\(driftedUnlistedCount)x\(driftStrength)x\(driftDocuments) cross=1")
        for prompt in pool.prompts { h.combine(prompt) }
        for document in domains { h.combine(document) }
        return h.hex
    }

    /// `fitOrLoad`, then `settings` with the fitted beta and cap: what a run does before its queries.
    public static func apply(to settings: inout EngineSettings, cacheDirectory: URL, models: HypothesisModels, pool: PromptPool,
                             domains: [String], progress: (String) -> Void = { _ in }) throws -> (calibration: Calibration, cached: Bool) {
        let fitted = try fitOrLoad(cacheDirectory: cacheDirectory, models: models, settings: settings, pool: pool, domains: domains,
                                   responsesPerModel: settings.calibrationAnswerCount, seed: settings.seed, progress: progress)
        settings.observation.beta = fitted.calibration.beta
        settings.observation.answerCap = fitted.calibration.cap
        settings.observation.answerOffsets = fitted.calibration.offsets
        return fitted
    }

    /// `fit`, reusing `DIR/calibration-<fingerprint>.json` when a previous fit with the same
    /// inputs left one there (the fit is deterministic), and writing it otherwise.
    public static func fitOrLoad(cacheDirectory: URL, models: HypothesisModels, settings: EngineSettings, pool: PromptPool,
                                 domains: [String], responsesPerModel: Int, seed: UInt64,
                                 progress: (String) -> Void = { _ in }) throws -> (calibration: Calibration, cached: Bool) {
        let key = fingerprint(models: models, settings: settings, pool: pool, domains: domains, responsesPerModel: responsesPerModel, seed: seed)
        let url = cacheDirectory.appendingPathComponent("calibration-\(key.prefix(16)).json")
        if let data = try? Data(contentsOf: url), let cached = try? attribJSONDecoder().decode(Calibration.self, from: data) {
            return (cached, true)
        }
        let fitted = try fit(models: models, settings: settings, pool: pool, domains: domains, responsesPerModel: responsesPerModel, seed: seed,
                             progress: progress)
        let encoder = attribJSONEncoder(pretty: true)
        try atomicWrite(try encoder.encode(fitted), to: url)
        return (fitted, false)
    }
}

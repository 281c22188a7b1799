import Common
import AttributionCore

/// How the engine models an answer: the drift mixture, its tempering and cap, the None prior,
/// how answers and the EIG tensors' samples are scored. Keys are the property names.
public struct ObservationSettings: SettingsGroup {
    /// Responses sampled per state and prompt for the cross-score tensors (with a latent
    /// grid of G points a hypothesis gets G times as many). 16 rather than 6 since scoring got
    /// cheap: on round2-like 15% fewer queries at the same accuracy.
    public var samples = 16
    /// Latent drift values eps inferred jointly with the base (empty: one global eps).
    public var latentGrid: [Double] = [0.02, 0.15, 0.5]
    /// eps when there is no latent grid.
    public var eps = 0.1
    /// Model drift with a contextual generic-text model in each hypothesis's tokenizer (the
    /// `drift` models of the bases file; `attrib demo` trains a bigram of pooled held-out text
    /// per tokenizer) instead of the fixed unigram background. round2-like, 10 seeds: 16%
    /// fewer queries, +0.8 ± 0.6 correct; round1-like, 15 seeds: −0.5 ± 0.7.
    public var contextualDrift = true
    /// Order of the contextual drift models `attrib demo` trains (2: bigrams).
    public var driftOrder = 2
    /// Score the API's answers with domain drift (`HypothesisModels.withDomainDrift`): each
    /// base drifts toward whichever domain of a library of held-out text fits the answer.
    /// The EIG tensors keep the cheaper fixed-background models.
    public var domainDrift = false
    /// Learn each fine-tune's drift from its own other answers (`Engine.AnswerDrift`): the
    /// drift distribution of every hypothesis becomes an n-gram of those answers over the
    /// contextual drift, so as answers accumulate the domain's tokens stop separating the
    /// hypotheses. Calibration scores its models' answers the same way. The EIG tensors keep
    /// the components' own drift.
    public var answerDrift = false
    /// Paths kept per byte position when an answer is scored over all its token paths for the
    /// posterior update (`EvidenceScorer.segmentationBeam`); 0 scores only the canonical
    /// tokenization. The EIG tensors always use the canonical path (cheaper).
    public var segmentationBeam = 4
    /// The same for scoring the samples of the EIG tensors (0: canonical path, the cheapest).
    public var tensorSegmentationBeam = 0
    /// Tempering power of the observation model (fitted by calibration).
    public var beta = 1.0
    /// Soft cap (nats) on the log-odds shift of one answer (`LikelihoodCap`); nil: none.
    public var answerCap: Double?
    /// The fitted per-hypothesis offsets in nats per answer, one per hypothesis (`None` last);
    /// nil: none. Set by calibration when `CalibrationSettings.hypothesisOffsets` is on.
    public var answerOffsets: [Double]?
    /// Prior probability of `None`.
    public var noneMass = 0.1

    public init() {}

    /// The command line's help for each setting, by key (`attrib --help` shows these).
    public static let helpTexts: [String: String] = [
        "samples": "Responses sampled per hypothesis state and prompt for the EIG tensors.",
        "latentGrid": "Latent drift grid (comma-separated eps values, or none for one global --eps).",
        "eps": "Drift eps when --drift-grid is none.",
        "contextualDrift": "Model drift with the contextual drift models the bases file names (the demo trains a generic-text bigram per tokenizer); --no-contextual-drift uses each model's unigram background instead.",
        "segmentationBeam": "Token paths kept per byte when scoring an answer over its segmentations (0: canonical tokenization only).",
        "tensorSegmentationBeam": "The same for the samples of the EIG tensors (0: canonical tokenization only, cheapest).",
        "answerDrift": "Learn each fine-tune's drift from its own other answers (an n-gram of them over the contextual drift, leave-one-out); calibration scores the same way.",
        "domainDrift": "Score answers with drift toward a library of held-out text of the installed corpora.",
        "beta": "Tempering power beta of the observation model (default 1; `run` and `demo` fit it on calibration models unless --no-calibration).",
        "noneMass": "Prior probability of None.",
        "answerCap": "Soft cap in nats on how far one answer may move the log odds between two hypotheses (0: none; default: none, or fitted by calibration in `run` and `demo`, which then fit beta at this cap).",
        "driftOrder": "Order of the contextual drift models the demo trains (one per tokenizer).",
        "answerOffsets": "Per-hypothesis offsets in nats per answer, fitted by calibration with --hypothesis-offsets (not set by hand).",
    ]

    public func problems() -> [(key: String, reason: String)] {
        var out: [(key: String, reason: String)] = []
        if samples < 1 { out.append(("samples", "must be at least 1, got \(samples)")) }
        if let bad = latentGrid.first(where: { !($0 >= 0 && $0 < 1) }) { out.append(("latentGrid", "values must be in [0, 1), got \(bad)")) }
        if !(eps >= 0 && eps < 1) { out.append(("eps", "must be in [0, 1), got \(eps)")) }
        if !(1...6).contains(driftOrder) { out.append(("driftOrder", "must be in 1...6, got \(driftOrder)")) }
        if segmentationBeam < 0 { out.append(("segmentationBeam", "cannot be negative, got \(segmentationBeam)")) }
        if tensorSegmentationBeam < 0 { out.append(("tensorSegmentationBeam", "cannot be negative, got \(tensorSegmentationBeam)")) }
        if !(beta > 0 && beta.isFinite) { out.append(("beta", "must be positive, got \(beta)")) }
        if let answerCap, !(answerCap >= 0) { out.append(("answerCap", "cannot be negative, got \(answerCap)")) }
        if !(noneMass >= 0 && noneMass < 1) { out.append(("noneMass", "must be in [0, 1), got \(noneMass)")) }
        return out
    }

    /// The drift mixture with this eps and beta.
    public var driftMixture: DriftMixtureModel { DriftMixtureModel(eps: eps, beta: beta) }

    /// The per-answer transform of `space`'s log-likelihood rows: the cap, then the offsets
    /// expanded from hypotheses to their states.
    public func likelihoodCap(space: HypothesisSpace) -> LikelihoodCap {
        LikelihoodCap(nats: answerCap, hypothesisOffsets: answerOffsets, space: space)
    }

    /// The scorer of the API's answers for the posterior update.
    public func answerScorer(models: HypothesisModels) -> EvidenceScorer {
        EvidenceScorer(models: models, segmentationBeam: segmentationBeam)
    }

    public func space(models: HypothesisModels) -> HypothesisSpace {
        models.space(noneMass: noneMass, latentGrid: latentGrid)
    }

    /// The builder of the EIG tensors, sampling with `seed`.
    public func tensorBuilder(models: HypothesisModels, seed: UInt64) -> TensorBuilder {
        TensorBuilder(models: models, space: space(models: models), observation: driftMixture, samples: samples, seed: seed,
                      segmentationBeam: tensorSegmentationBeam)
    }
}

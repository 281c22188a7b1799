import AttributionCore
import Engine

/// Everything that shapes the engine of a run, with the defaults `attrib run` and
/// `attrib demo` use.
public struct EngineSettings: Sendable, Codable, Equatable {
    /// Responses sampled per state and prompt for the cross-score tensors (with a latent
    /// grid of G points a hypothesis gets G times as many). 16 rather than 6 since scoring got
    /// cheap: on round2-like 15% fewer queries at the same accuracy (`Results/demo/` in git history before stop 21).
    public var samples = 16
    /// Latent drift values eps inferred jointly with the base (empty: one global eps).
    public var latentGrid: [Double] = [0.02, 0.15, 0.5]
    /// eps when there is no latent grid.
    public var eps = 0.1
    /// Model drift with a contextual generic-text model in each hypothesis's tokenizer (the
    /// `drift` models of the bases file; `attrib demo` trains a bigram of pooled held-out text
    /// per tokenizer) instead of the fixed unigram background. round2-like, 10 seeds: 16%
    /// fewer queries, +0.8 ± 0.6 correct; round1-like, 15 seeds: −0.5 ± 0.7 (`Results/demo/` in git history before stop 21).
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
    /// Tempering power of the observation model.
    public var beta = 1.0
    /// Soft cap (nats) on the log-odds shift of one answer (`LikelihoodCap`); nil: none.
    public var answerCap: Double?
    /// Fit per-hypothesis offsets on the calibration models (`Calibration.offsets`) and
    /// subtract them from every answer's log-likelihoods and every tensor row
    /// (`LikelihoodCap.offsets`): a bias correction for hypotheses that explain other bases'
    /// fine-tunes too well (a near relative of lower order, say). Off by default: on
    /// round1-like it cost about one right attribution in twelve at budgets 3 to 10, trading
    /// errors between relatives (`Results/round1-like-offsets/`).
    public var hypothesisOffsets = false
    /// The fitted offsets in nats per answer, one per hypothesis (`None` last); nil: none.
    /// Set by calibration when `hypothesisOffsets` is on.
    public var answerOffsets: [Double]?
    /// Answers each calibration model gives: the length of the trajectories whose threshold
    /// stops the fit keeps honest (`calibrationAnswerCount`). By default the budget per model,
    /// at most `CalibrationLength.maximum`: a run that goes on longer than calibration looked is
    /// stopped on evidence calibration never checked (round2-like at budget 100: 63 of 71
    /// threshold stops right with 12 answers, 59 of 60 with 30;
    /// `Results/round2-like-calibration-answers/`; the default measured against 12 on
    /// round1-like, round2-like and check-a in `Results/*-calibration-budget/`).
    /// Settings written before this was a setting read as 12 answers, what they ran.
    public var calibrationAnswers = CalibrationLength.budget
    /// Prior probability of `None`.
    public var noneMass = 0.1
    /// Stop a model when its largest posterior reaches this.
    public var threshold = 0.95
    /// Queries per model at most.
    public var budgetPerModel = 30
    /// Stop a model when the best EIG over the pool stays below this many nats twice in a row
    /// (nil: never), for every selection strategy alike. Near relatives differ by less than
    /// the misspecification of the drift model, so past this point more queries move the
    /// posterior as much toward the wrong relative as toward the right one: on round1-like,
    /// 30 queries per model gave 7.2/12 right, 5 gave 8.0/12 (the removed `scripts/budget-sweep.sh`; now `Results/round1-like-budget-sweep/`),
    /// and this floor stops most models after 2 to 4 queries.
    public var eigFloor: Double? = 0.05
    /// Queries every model gets before the EIG floor may stop it.
    public var eigFloorAfter = 5
    /// Whether a model may be asked a prompt again before it has been asked every prompt of the
    /// pool as often (`Scheduler.allowRepeats`), for every selection strategy alike. Off by
    /// default: greedy EIG otherwise asks its favourite prompt again and again, and every answer
    /// to it carries the same misfit. On round2-like (5 seeds) that took EIG from 14.6/24 with
    /// 270 queries to 15.4/24 with 178; on round1-like (15 seeds) 7.1/12 against 6.7/12, within
    /// noise (`Results/demo/*-no-repeats*` in git history before stop 21).
    public var repeatPrompts = false
    /// Queries over all models at most (nil: none).
    public var globalBudget: Int?
    /// Selection strategy (encoded as its name).
    public var strategy = StrategyKind.eig
    /// How a strategy chooses among prompts of tied scores (`TieBreak`).
    public var tieBreak = TieBreak.shuffle
    /// Relative tolerance within which two prompts' scores tie (`SelectionStrategies.argmax`):
    /// 1e-9 ties exact equals only; 0.05 ties every prompt within 5% of the best score.
    public var tieTolerance = SelectionStrategies.tieTolerance
    public var seed: UInt64 = 1
    /// Threads for precomputing tensors.
    public var threads = 2
    /// Queries in flight at once (one per model).
    public var concurrency = 4

    public init() {}

    /// Answers per calibration model for these settings' budget.
    public var calibrationAnswerCount: Int { calibrationAnswers.answers(budgetPerModel: budgetPerModel) }

    public var observation: DriftMixtureModel { DriftMixtureModel(eps: eps, beta: beta) }

    /// The per-answer transform of `space`'s log-likelihood rows: the cap, then the offsets
    /// expanded from hypotheses to their states.
    public func likelihoodCap(space: HypothesisSpace) -> LikelihoodCap {
        LikelihoodCap(nats: answerCap, hypothesisOffsets: answerOffsets, space: space)
    }

    /// The scorer of the API's answers for the posterior update.
    public func answerScorer(models: HypothesisModels) -> EvidenceScorer {
        EvidenceScorer(models: models, segmentationBeam: segmentationBeam)
    }

    public var stoppingRule: any StoppingRule {
        var rules: [any StoppingRule] = [PosteriorThreshold(tau: threshold), QueryBudget(budget: budgetPerModel)]
        if let eigFloor { rules.append(EIGFloor(floor: eigFloor, patience: 2, minimumQueries: eigFloorAfter)) }
        return AnyOf(rules)
    }

    public func space(models: HypothesisModels) -> HypothesisSpace {
        models.space(noneMass: noneMass, latentGrid: latentGrid)
    }

    public func tensorBuilder(models: HypothesisModels) -> TensorBuilder {
        TensorBuilder(models: models, space: space(models: models), observation: observation, samples: samples, seed: seed,
                      segmentationBeam: tensorSegmentationBeam)
    }

    /// Reads settings a run or an experiment cell recorded. A key missing from the file is a
    /// setting that did not exist when it was written: it takes its default, which is the
    /// behaviour from before the setting existed (an absent optional is nil, as written), or,
    /// where the default has changed since, what it was then (`calibrationAnswers`).
    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try read(.samples, &samples); try read(.latentGrid, &latentGrid); try read(.eps, &eps)
        try read(.contextualDrift, &contextualDrift); try read(.driftOrder, &driftOrder); try read(.domainDrift, &domainDrift)
        try read(.answerDrift, &answerDrift); try read(.segmentationBeam, &segmentationBeam)
        try read(.tensorSegmentationBeam, &tensorSegmentationBeam); try read(.beta, &beta)
        answerCap = try c.decodeIfPresent(Double.self, forKey: .answerCap)
        try read(.hypothesisOffsets, &hypothesisOffsets)
        calibrationAnswers = try c.decodeIfPresent(CalibrationLength.self, forKey: .calibrationAnswers) ?? .beforeItWasASetting
        answerOffsets = try c.decodeIfPresent([Double].self, forKey: .answerOffsets)
        try read(.noneMass, &noneMass); try read(.threshold, &threshold); try read(.budgetPerModel, &budgetPerModel)
        eigFloor = try c.decodeIfPresent(Double.self, forKey: .eigFloor)
        try read(.eigFloorAfter, &eigFloorAfter); try read(.repeatPrompts, &repeatPrompts)
        globalBudget = try c.decodeIfPresent(Int.self, forKey: .globalBudget)
        try read(.strategy, &strategy); try read(.tieBreak, &tieBreak); try read(.tieTolerance, &tieTolerance)
        try read(.seed, &seed); try read(.threads, &threads); try read(.concurrency, &concurrency)
    }
}

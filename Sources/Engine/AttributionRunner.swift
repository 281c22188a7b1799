import AttributionCore
import Common

/// One asked prompt in a model's report.
public struct AskedPrompt: Codable, Equatable, Sendable {
    public var prompt: Int
    public var text: String
    /// EIG in nats when it was chosen (nil for strategies that do not compute it).
    public var eig: Double?
    public var response: String
}

/// The outcome for one fine-tuned model.
public struct ModelAttribution: Codable, Equatable, Sendable {
    public var model: Int
    /// The MAP hypothesis: a base, or `None`.
    public var attribution: Attribution
    /// Marginal posterior over hypotheses, in hypothesis order.
    public var posterior: [Double]
    public var confidence: Double
    public var queries: Int
    /// Why the model stopped; nil while it runs.
    public var stopReason: StopReason?
    public var asked: [AskedPrompt]
}

/// Runs the scheduler against an `Oracle` (a live API behind the journal, the simulator, a
/// replayed log) until every model has stopped: chooses prompts,
/// asks them (several models concurrently), scores the answers under every hypothesis and
/// updates the posteriors. Answers are recorded in the order the scheduler handed them out,
/// so a run is reproducible from its seed whatever the network timing.
public struct AttributionRunner: Sendable {
    public let bank: PromptBank
    public let prompts: [String]
    /// The settings of the run, whole: the observation model, stopping, scheduling, the seed.
    /// The bank's tensors must carry the same cap (`ObservationSettings.likelihoodCap`), since
    /// selection and inference share one model.
    public let settings: EngineSettings
    /// Scores every answer (over `models`, which may add drift components to the bank's).
    public let scorer: EvidenceScorer
    /// When answers come from a log: the prompts each model may still be asked (`Scheduler.quota`).
    public let quota: PromptQuota?

    /// - Parameters:
    ///   - models: the hypotheses' models the answers are scored under (`settings.observation.answerScorer`).
    ///   - settings: with `observation.answerDrift`, each model's drift is learned from its own
    ///     answers (`AnswerDrift`): the newest answer is scored with drift from the ones before
    ///     it, and at `AnswerHistory.isRescoringPoint` counts every answer is rescored against
    ///     all the others and the posterior rebuilt. The EIG tensors keep the components' own
    ///     drift (they are computed before any answer). Prompt lengths for `TieBreak.cheapest`
    ///     are the prompts' characters.
    public init(bank: PromptBank, prompts: [String], models: HypothesisModels, settings: EngineSettings, quota: PromptQuota? = nil) {
        precondition(prompts.count == bank.count, "one prompt text per bank entry")
        self.bank = bank
        self.prompts = prompts
        self.settings = settings
        self.scorer = settings.observation.answerScorer(models: models)
        self.quota = quota
    }

    /// Attributes `models` (public ids). `progress` is called after every recorded answer.
    public func run(models: [Int], oracle: some Oracle,
                    progress: (@Sendable (ModelProgress, Scheduler) -> Void)? = nil) async throws -> [ModelAttribution] {
        var scheduler = Scheduler(modelIDs: models, bank: bank, scheduling: settings.scheduling, stopping: settings.stopping,
                                  quota: quota, promptLengths: prompts.map(\.count), seed: settings.seed)
        let observation = settings.observation.driftMixture
        let cap = settings.observation.likelihoodCap(space: bank.space)
        let concurrency = max(1, settings.scheduling.concurrency)
        var responses = [Int: [String]]()
        var histories = [Int: AnswerHistory]()
        var rows = [Int: [[Double]]]()
        while !scheduler.isFinished {
            let batch = scheduler.next(maxConcurrent: concurrency)
            if batch.isEmpty { break }
            let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for (k, a) in batch.enumerated() {
                    let text = prompts[a.selection.prompt]
                    group.addTask { (k, try await oracle.ask(model: a.model, prompt: text).continuation) }
                }
                var out = [String](repeating: "", count: batch.count)
                for try await (k, r) in group { out[k] = r }
                return out
            }
            for (a, response) in zip(batch, answers) {
                let prompt = prompts[a.selection.prompt]
                if settings.observation.answerDrift {
                    var history = histories[a.model] ?? AnswerHistory()
                    history.append(prompt: prompt, response: response, models: scorer.models)
                    histories[a.model] = history
                    let n = history.count
                    let rescore = AnswerHistory.isRescoringPoint(n) ? Array(0..<n) : [n - 1]
                    let scored = scorer.leaveOneOutLogLikelihoods(history: history, indices: rescore, observation: observation,
                                                                  space: bank.space).map(cap.apply)
                    var modelRows = rows[a.model] ?? []
                    if rescore.count == 1 { modelRows.append(scored[0]) } else { modelRows = scored }
                    rows[a.model] = modelRows
                    try scheduler.record(model: a.model, prompt: a.selection.prompt, logLikelihoods: modelRows[n - 1])
                    if rescore.count > 1 { try scheduler.revise(model: a.model, logLikelihoodRows: modelRows) }
                } else {
                    let ll = cap.apply(scorer.logLikelihoods(prompt: prompt, responses: [response],
                                                             observation: observation, space: bank.space)[0])
                    try scheduler.record(model: a.model, prompt: a.selection.prompt, logLikelihoods: ll)
                }
                responses[a.model, default: []].append(response)
                progress?(scheduler.progress(of: a.model)!, scheduler)
            }
        }
        return scheduler.models.map { m in
            let (h, p) = m.posterior.mapHypothesis
            let asked = m.askedPrompts.indices.map { k in
                AskedPrompt(prompt: m.askedPrompts[k], text: prompts[m.askedPrompts[k]], eig: m.askedEIG[k],
                            response: responses[m.model]?[k] ?? "")
            }
            return ModelAttribution(model: m.model, attribution: bank.space.attribution(ofHypothesis: h), posterior: m.posterior.marginal,
                                    confidence: p, queries: m.queriesUsed, stopReason: m.stopReason,
                                    asked: asked)
        }
    }
}

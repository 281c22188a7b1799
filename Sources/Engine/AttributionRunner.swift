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
    /// The MAP hypothesis's name ("None" for None).
    public var attribution: String
    /// Marginal posterior over hypotheses, in hypothesis order.
    public var posterior: [Double]
    public var confidence: Double
    public var queries: Int
    public var stopReason: String
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
    public let scorer: EvidenceScorer
    public let observation: any ObservationModel
    public let strategy: any SelectionStrategy
    public let stopping: any StoppingRule
    public let globalBudget: Int?
    public let concurrency: Int
    public let seed: UInt64
    /// Applied to every answer's log-likelihoods before the posterior update; the bank's
    /// tensors must carry the same cap (selection and inference share one model).
    public let cap: LikelihoodCap
    /// Whether a model may be asked a prompt again before it has been asked every prompt as often (`Scheduler.allowRepeats`).
    public let allowRepeats: Bool
    /// When answers come from a log: the prompts each model may still be asked (`Scheduler.quota`).
    public let quota: PromptQuota?
    /// Learn each model's drift from its own answers (`AnswerDrift`): the newest answer is
    /// scored with drift from the ones before it, and at `AnswerHistory.isRescoringPoint`
    /// counts every answer is rescored against all the others and the posterior rebuilt. The
    /// EIG tensors keep the components' own drift (they are computed before any answer).
    public let answerDrift: Bool
    /// How the strategy chooses among prompts of tied scores (`Scheduler.tieBreak`); prompt
    /// lengths for `.cheapest` are the prompts' characters.
    public let tieBreak: TieBreak
    public let tieTolerance: Double

    public init(bank: PromptBank, prompts: [String], scorer: EvidenceScorer, observation: any ObservationModel,
                strategy: any SelectionStrategy, stopping: any StoppingRule, globalBudget: Int? = nil,
                concurrency: Int = 4, cap: LikelihoodCap = .none, allowRepeats: Bool = true, quota: PromptQuota? = nil,
                answerDrift: Bool = false, tieBreak: TieBreak = .shuffle,
                tieTolerance: Double = SelectionStrategies.tieTolerance, seed: UInt64) {
        self.quota = quota
        self.tieBreak = tieBreak
        self.tieTolerance = tieTolerance
        self.answerDrift = answerDrift
        self.cap = cap
        self.allowRepeats = allowRepeats
        precondition(prompts.count == bank.count, "one prompt text per bank entry")
        self.bank = bank
        self.prompts = prompts
        self.scorer = scorer
        self.observation = observation
        self.strategy = strategy
        self.stopping = stopping
        self.globalBudget = globalBudget
        self.concurrency = max(1, concurrency)
        self.seed = seed
    }

    /// Attributes `models` (public ids). `progress` is called after every recorded answer.
    public func run(models: [Int], oracle: some Oracle,
                    progress: (@Sendable (ModelProgress, Scheduler) -> Void)? = nil) async throws -> [ModelAttribution] {
        var scheduler = Scheduler(modelIDs: models, bank: bank, strategy: strategy, stoppingRule: stopping,
                                  globalBudget: globalBudget, allowRepeats: allowRepeats, quota: quota,
                                  tieBreak: tieBreak, tieTolerance: tieTolerance, promptLengths: prompts.map(\.count), seed: seed)
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
                if answerDrift {
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
            return ModelAttribution(model: m.model, attribution: bank.space.name(ofHypothesis: h), posterior: m.posterior.marginal,
                                    confidence: p, queries: m.queriesUsed, stopReason: m.stopReason?.description ?? "running",
                                    asked: asked)
        }
    }
}

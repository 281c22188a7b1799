import Common

/// One query the scheduler hands out: ask `selection.prompt` of fine-tuned model `model`.
public struct Assignment: Equatable, Sendable {
    public var model: Int
    public var selection: Selection
    /// Expected drop in the probability of a wrong attribution of this model from this query.
    public var expectedErrorReduction: Double
}

/// Progress of one fine-tuned model under the scheduler.
public struct ModelProgress: Sendable {
    public let model: Int
    public internal(set) var posterior: Posterior
    public internal(set) var queriesUsed = 0
    public internal(set) var askedPrompts: [Int] = []
    /// EIG in nats of each asked prompt at the time it was chosen (nil for strategies without EIG).
    public internal(set) var askedEIG: [Double?] = []
    public internal(set) var stopReason: StopReason?
    public internal(set) var inFlight: Int?
    var rule: any StoppingRule
    var rng: SeededGenerator
    /// The next selection and its value, cached until the posterior changes.
    var pending: Assignment?

    public var isStopped: Bool { stopReason != nil }
}

/// Spends queries across many fine-tuned models under an optional global budget.
///
/// Each next query goes to the model where it most reduces the expected number of wrong
/// attributions, `sum_m (1 - max_h P_m(h))`: for every model the strategy picks its prompt,
/// and the model's priority is the expected error drop of that prompt (one-step lookahead
/// from the cross-score tensor). A one-step drop can be zero when no single answer can
/// flip the MAP decision; ties are then broken by the larger current error, then by EIG,
/// then by a seeded shuffle. Several queries may be in flight at once, at most one per model.
/// Deterministic given the seed: each model draws from its own random stream, so decisions
/// do not depend on the order in which answers come back.
public struct Scheduler: Sendable {
    public let bank: PromptBank
    public let strategy: any SelectionStrategy
    public let globalBudget: Int?
    /// Whether a model may be asked a prompt again before it has been asked every prompt as
    /// often (at temperature > 0 a repeat gives a new sample). When false, a model is asked a
    /// prompt k + 1 times only after every prompt k times: answers to one prompt share that
    /// prompt's misfit of the observation model, so a repeat carries less than it is credited.
    public let allowRepeats: Bool
    /// When answers come from a log: the prompts each model may still be asked (nil: any).
    public let quota: PromptQuota?
    /// How a strategy chooses among prompts of tied scores, and the relative tolerance of a tie.
    public let tieBreak: TieBreak
    public let tieTolerance: Double
    /// `.cheapest`'s ranks, fixed for the run (nil for the other rules).
    private let cheapestRanks: [Int]?
    public private(set) var models: [ModelProgress]
    private var tieRNG: SeededGenerator

    /// - Parameters:
    ///   - modelIDs: public ids of the fine-tuned models.
    ///   - stoppingRule: a template copied (and reset) for every model.
    ///   - globalBudget: total queries over all models, nil for none.
    ///   - promptLengths: each prompt's length in characters, for `TieBreak.cheapest` (nil: all equal).
    public init(modelIDs: [Int], bank: PromptBank, strategy: any SelectionStrategy, stoppingRule: any StoppingRule,
                globalBudget: Int? = nil, allowRepeats: Bool = true, quota: PromptQuota? = nil,
                tieBreak: TieBreak = .shuffle, tieTolerance: Double = SelectionStrategies.tieTolerance,
                promptLengths: [Int]? = nil, seed: UInt64) {
        precondition(tieTolerance >= 0, "a tie tolerance cannot be negative")
        self.tieBreak = tieBreak
        self.tieTolerance = tieTolerance
        self.cheapestRanks = tieBreak == .cheapest
            ? TieBreak.cheapestRanks(costs: bank.costs, lengths: promptLengths ?? Array(repeating: 0, count: bank.count)) : nil
        precondition(Set(modelIDs).count == modelIDs.count, "model ids must be distinct")
        self.bank = bank
        self.strategy = strategy
        self.globalBudget = globalBudget
        self.allowRepeats = allowRepeats
        self.quota = quota
        self.tieRNG = SeededGenerator.stream(seed, 0xFFFF_FFFF)
        var template = stoppingRule
        template.reset()
        self.models = modelIDs.map { id in
            ModelProgress(model: id, posterior: Posterior(space: bank.space), rule: template,
                          rng: SeededGenerator.stream(seed, UInt64(truncatingIfNeeded: id)))
        }
    }

    /// The scheduler of a run under `scheduling` (the strategy, tie-break, repeats) and
    /// `stopping` (every model's rule and the global budget).
    public init(modelIDs: [Int], bank: PromptBank, scheduling: SchedulingSettings, stopping: StoppingSettings,
                quota: PromptQuota? = nil, promptLengths: [Int]? = nil, seed: UInt64) {
        self.init(modelIDs: modelIDs, bank: bank, strategy: scheduling.strategy.strategy, stoppingRule: stopping.rule,
                  globalBudget: stopping.globalBudget, allowRepeats: scheduling.repeatPrompts, quota: quota,
                  tieBreak: scheduling.tieBreak, tieTolerance: scheduling.tieTolerance, promptLengths: promptLengths, seed: seed)
    }

    /// Queries answered so far, over all models.
    public var queriesSpent: Int { models.reduce(0) { $0 + $1.queriesUsed } }
    /// Queries handed out and not yet recorded.
    public var queriesInFlight: Int { models.reduce(0) { $0 + ($1.inFlight == nil ? 0 : 1) } }
    /// Expected number of wrong attributions if every model were answered now by its MAP hypothesis.
    public var expectedWrong: Double { models.reduce(0) { $0 + $1.posterior.errorProbability } }
    /// True when every model has stopped and nothing is in flight.
    public var isFinished: Bool { models.allSatisfy { $0.isStopped && $0.inFlight == nil } }

    /// Progress of the model with public id `id`.
    public func progress(of id: Int) -> ModelProgress? { models.first { $0.model == id } }

    /// Hands out up to `maxConcurrent` new queries (at most one per model, counting those
    /// already in flight), best first. Returns an empty list when nothing can be asked now.
    public mutating func next(maxConcurrent: Int = 1) -> [Assignment] {
        var out = [Assignment]()
        var slots = maxConcurrent - queriesInFlight
        while slots > 0 {
            if let budget = globalBudget, queriesSpent + queriesInFlight >= budget {
                for k in models.indices where !models[k].isStopped && models[k].inFlight == nil {
                    models[k].stopReason = .globalBudgetSpent
                }
                break
            }
            var ready = [Int]()
            for k in models.indices where !models[k].isStopped && models[k].inFlight == nil {
                refreshPending(k)
                if models[k].pending != nil { ready.append(k) }
            }
            guard let k = mostUrgent(ready), let assignment = models[k].pending else { break }
            models[k].inFlight = assignment.selection.prompt
            out.append(assignment)
            if tieBreak == .shared {
                for other in models.indices where other != k && models[other].inFlight == nil { reselect(other) }
            }
            slots -= 1
        }
        return out
    }

    /// Records the answer to a query handed out by `next`: the observation's log-likelihood
    /// (natural log) under every state of the bank's hypothesis space.
    public mutating func record(model id: Int, prompt: Int, logLikelihoods: [Double]) throws {
        guard let k = models.firstIndex(where: { $0.model == id }) else { throw SchedulerError.unknownModel(id) }
        guard models[k].inFlight == prompt else { throw SchedulerError.notInFlight(model: id, prompt: prompt) }
        try models[k].posterior.update(logLikelihoods: logLikelihoods)
        models[k].inFlight = nil
        models[k].queriesUsed += 1
        models[k].askedPrompts.append(prompt)
        models[k].askedEIG.append(models[k].pending?.selection.eig)
        models[k].pending = nil
    }

    /// Replaces a model's evidence: its posterior becomes the prior updated by `rows` (one
    /// log-likelihood row per answer, natural log, one value per state), for an observation
    /// model that rescores earlier answers in the light of later ones (`Engine.AnswerDrift`).
    /// The model must have no query in flight; its next selection is computed afresh.
    public mutating func revise(model id: Int, logLikelihoodRows rows: [[Double]]) throws {
        guard let k = models.firstIndex(where: { $0.model == id }) else { throw SchedulerError.unknownModel(id) }
        precondition(models[k].inFlight == nil, "revise a model's evidence only between its queries")
        var posterior = Posterior(space: bank.space)
        for row in rows { try posterior.update(logLikelihoods: row) }
        models[k].posterior = posterior
        models[k].pending = nil
    }

    /// Computes the model's next selection and stopping decision once per posterior state.
    private mutating func refreshPending(_ k: Int) {
        guard models[k].pending == nil, !models[k].isStopped else { return }
        guard let (candidates, floorCandidates) = candidates(of: k) else { models[k].stopReason = .logExhausted; return }
        let logWeights = models[k].posterior.logWeights
        let selection = select(k, among: candidates)
        // The best EIG over the candidates, whatever the strategy picked, so that an EIG floor
        // stops every strategy at the same point (a random baseline uses the same stopping rule).
        // Greedy EIG's own choice is that best unless a tolerance let it take a near tie.
        let exact = tieTolerance <= SelectionStrategies.tieTolerance
        let bestEIG = (strategy.eigReport == .best && exact) || !models[k].rule.usesEIG ? selection?.eig
            : bank.eig(logWeights: logWeights, candidates: floorCandidates).max()
        let stopping = StoppingContext(queriesUsed: models[k].queriesUsed,
                                       maxPosterior: models[k].posterior.mapHypothesis.probability,
                                       bestEIG: bestEIG)
        if let reason = models[k].rule.decide(stopping) { models[k].stopReason = reason; return }
        guard let selection else { models[k].stopReason = .noCandidates; return }
        models[k].pending = assignment(k, selection)
    }

    /// Chooses model `k`'s pending prompt again under the current tie-break ranks (for
    /// `.shared`, after another model was handed a prompt), its stopping decision unchanged.
    private mutating func reselect(_ k: Int) {
        guard models[k].pending != nil, let (candidates, _) = candidates(of: k),
              let selection = select(k, among: candidates) else { return }
        models[k].pending = assignment(k, selection)
    }

    /// The prompts model `k` may be asked next, and those the EIG floor looks at (every prompt
    /// it may still be asked, whatever the order); nil when a log has none left for it.
    private func candidates(of k: Int) -> (candidates: [Int], floor: [Int])? {
        let asked = models[k].askedPrompts
        guard let quota else {
            let candidates = allowRepeats ? Array(0..<bank.count) : Self.leastAsked(asked, count: bank.count)
            return (candidates, candidates)
        }
        let choosable = quota.choosable(model: models[k].model, asked: asked)
        guard !choosable.isEmpty else { return nil }
        let open = quota.open(model: models[k].model, asked: asked)
        return (allowRepeats ? choosable : Self.leastAsked(asked, among: choosable),
                allowRepeats ? open : Self.leastAsked(asked, among: open))
    }

    private mutating func select(_ k: Int, among candidates: [Int]) -> Selection? {
        let context = SelectionContext(logWeights: models[k].posterior.logWeights, candidates: candidates,
                                       tieTolerance: tieTolerance, tieRanks: tieRanks(excluding: k))
        return strategy.select(context, bank: bank, rng: &models[k].rng)
    }

    private func assignment(_ k: Int, _ selection: Selection) -> Assignment {
        let logWeights = models[k].posterior.logWeights
        let after = bank.expectedError(afterPrompt: selection.prompt, logWeights: logWeights)
        return Assignment(model: models[k].model, selection: selection, expectedErrorReduction: models[k].posterior.errorProbability - after)
    }

    /// The tie-break ranks for model `k`'s next selection (nil: shuffle only).
    private func tieRanks(excluding k: Int) -> [Int]? {
        switch tieBreak {
        case .shuffle: return nil
        case .cheapest: return cheapestRanks
        case .shared:
            var elsewhere = Set<Int>()
            for other in models.indices where other != k {
                elsewhere.formUnion(models[other].askedPrompts)
                if let p = models[other].inFlight { elsewhere.insert(p) }
            }
            return TieBreak.sharedRanks(count: bank.count, elsewhere: elsewhere)
        }
    }

    /// The prompts of `among` asked least often in `asked`, in the order given.
    static func leastAsked(_ asked: [Int], among: [Int]) -> [Int] {
        var times: [Int: Int] = [:]
        for p in asked { times[p, default: 0] += 1 }
        let fewest = among.map { times[$0, default: 0] }.min() ?? 0
        return among.filter { times[$0, default: 0] == fewest }
    }

    /// The prompts of `0..<count` asked least often in `asked`, in index order.
    static func leastAsked(_ asked: [Int], count: Int) -> [Int] {
        var times = [Int](repeating: 0, count: count)
        for p in asked where p < count { times[p] += 1 }
        let fewest = times.min() ?? 0
        return (0..<count).filter { times[$0] == fewest }
    }

    /// The model to ask next among `ready` (indices with a pending selection): the largest
    /// expected error reduction, then the largest error probability, then the largest EIG;
    /// models tied on all three (within 1e-9) are drawn uniformly with the seeded tie-break
    /// generator, so no position in the list is favoured.
    private mutating func mostUrgent(_ ready: [Int]) -> Int? {
        guard var best = ready.first else { return nil }
        for k in ready.dropFirst() where compare(k, best) == .above { best = k }
        let tied = ready.filter { compare($0, best) == .tied }
        return tied.count == 1 ? tied[0] : tied.randomElement(using: &tieRNG)
    }

    private enum Rank { case above, tied, below }

    /// How model `a`'s pending query ranks against model `b`'s.
    private func compare(_ a: Int, _ b: Int) -> Rank {
        let pa = models[a].pending!, pb = models[b].pending!
        let keys = [(pa.expectedErrorReduction, pb.expectedErrorReduction),
                    (models[a].posterior.errorProbability, models[b].posterior.errorProbability),
                    (pa.selection.eig ?? 0, pb.selection.eig ?? 0)]
        for (x, y) in keys where abs(x - y) > 1e-9 { return x > y ? .above : .below }
        return .tied
    }
}

/// Misuse of the scheduler's protocol.
public enum SchedulerError: Error, Equatable, CustomStringConvertible {
    case unknownModel(Int)
    case notInFlight(model: Int, prompt: Int)

    public var description: String {
        switch self {
        case .unknownModel(let m): return "model \(m) is not scheduled"
        case .notInFlight(let m, let p): return "prompt \(p) was not handed out for model \(m)"
        }
    }
}

import Common

/// What a selection strategy sees when choosing the next prompt for one fine-tuned model.
public struct SelectionContext: Sendable {
    /// Normalised log posterior over states (natural log).
    public var logWeights: [Double]
    /// Prompts that may be asked (indices into the bank), in any order.
    public var candidates: [Int]
    /// Whether to divide EIG by the prompt's cost (EIG per unit cost).
    public var perUnitCost: Bool
    /// Relative tolerance within which two scores tie (`SelectionStrategies.argmax`).
    public var tieTolerance: Double
    /// Tie-break ranks, one per prompt of the bank, lower first among tied prompts (`TieBreak`);
    /// nil: tied prompts are shuffled.
    public var tieRanks: [Int]?

    public init(logWeights: [Double], candidates: [Int], perUnitCost: Bool = false,
                tieTolerance: Double = SelectionStrategies.tieTolerance, tieRanks: [Int]? = nil) {
        self.logWeights = logWeights
        self.candidates = candidates
        self.perUnitCost = perUnitCost
        self.tieTolerance = tieTolerance
        self.tieRanks = tieRanks
    }
}

/// A chosen prompt with the score it was chosen by and its EIG in nats (when computed).
public struct Selection: Equatable, Sendable {
    public var prompt: Int
    /// The strategy's own score (EIG, EIG per cost, divergence, ...), larger is better.
    public var score: Double
    /// Expected information gain in nats, when the strategy computed it.
    public var eig: Double?

    public init(prompt: Int, score: Double, eig: Double?) {
        self.prompt = prompt
        self.score = score
        self.eig = eig
    }
}

/// A prompt selection strategy: one function of one signature (as in modAL). Scoring is
/// separate from choosing: strategies score candidates, `SelectionStrategies.argmax`
/// chooses under the context's tie-break (`TieBreak`).
public protocol SelectionStrategy: Sendable {
    /// Short name used in reports and experiment tables.
    var name: String { get }
    /// Whether and how the strategy's selections report EIG (what the EIG floor can reuse).
    var eigReport: EIGReport { get }
    /// Chooses the next prompt, or nil when there is no candidate.
    func select(_ context: SelectionContext, bank: PromptBank, rng: inout SeededGenerator) -> Selection?
}

/// How a strategy's selections carry EIG.
public enum EIGReport: Sendable, Equatable {
    /// `Selection.eig` is nil.
    case none
    /// `Selection.eig` is the chosen prompt's EIG, which need not be the best among the candidates.
    case chosen
    /// `Selection.eig` is the largest EIG among the candidates whenever scores tie only when
    /// exactly equal: the strategy maximises EIG itself.
    case best
}

extension SelectionStrategy {
    public var eigReport: EIGReport { .none }
}

/// Shared helpers for strategies.
public enum SelectionStrategies {
    /// Default relative tolerance within which two scores count as tied.
    public static let tieTolerance = 1e-9
}

/// The selection strategies by name: the one list of names that settings, reports and the
/// command line (`--strategy`) use. The raw value is the name.
public enum StrategyKind: String, CaseIterable, Codable, Sendable {
    case eig
    case eigPerCost = "eig-per-cost"
    case random
    case disagreement
    case fixed
    /// The 8 prompts of largest prior EIG, each asked once (`ProbeSelection`).
    case probes
    /// Robust acquisition (`RobustSelection.swift`): EIG under a tempered posterior, mixed with
    /// exploration, over an ensemble of drift levels.
    case eigTempered = "eig-tempered"
    case eigExplore = "eig-explore"
    case eigEnsemble = "eig-ensemble"

    /// The strategy itself.
    public var strategy: any SelectionStrategy {
        switch self {
        case .eig: return GreedyEIG()
        case .eigPerCost: return GreedyEIG(perUnitCost: true)
        case .random: return RandomSelection()
        case .disagreement: return DisagreementSelection()
        case .fixed: return FixedOrderSelection()
        case .probes: return ProbeSelection()
        case .eigTempered: return TemperedEIG()
        case .eigExplore: return ExploringEIG()
        case .eigEnsemble: return EnsembleEIG()
        }
    }
}

/// Greedy expected information gain: ask the prompt with the largest EIG (or EIG per unit cost).
public struct GreedyEIG: SelectionStrategy {
    public var perUnitCost: Bool
    public init(perUnitCost: Bool = false) { self.perUnitCost = perUnitCost }
    public var name: String { perUnitCost ? "eig-per-cost" : "eig" }
    public var eigReport: EIGReport { perUnitCost ? .chosen : .best }

    public func select(_ context: SelectionContext, bank: PromptBank, rng: inout SeededGenerator) -> Selection? {
        let gains = bank.eig(logWeights: context.logWeights, candidates: context.candidates)
        let useCost = perUnitCost || context.perUnitCost
        let scores = useCost ? zip(gains, context.candidates).map { $0 / bank.costs[$1] } : gains
        guard let (k, score) = SelectionStrategies.argmax(context, scores: scores, rng: &rng) else { return nil }
        return Selection(prompt: context.candidates[k], score: score, eig: gains[k])
    }
}

/// Uniformly random prompt: the baseline every experiment runs beside the others.
public struct RandomSelection: SelectionStrategy {
    public init() {}
    public var name: String { "random" }

    public func select(_ context: SelectionContext, bank: PromptBank, rng: inout SeededGenerator) -> Selection? {
        guard let p = context.candidates.randomElement(using: &rng) else { return nil }
        return Selection(prompt: p, score: 0, eig: nil)
    }
}

/// Fixed order: the first candidate in the order given (for replays of a fixed prompt list).
public struct FixedOrderSelection: SelectionStrategy {
    public init() {}
    public var name: String { "fixed" }

    public func select(_ context: SelectionContext, bank: PromptBank, rng: inout SeededGenerator) -> Selection? {
        guard let p = context.candidates.first else { return nil }
        return Selection(prompt: p, score: 0, eig: nil)
    }
}

/// A cheap disagreement heuristic: the prompt on which the two currently most probable
/// hypotheses disagree most, measured by the symmetrised mean log-likelihood ratio of their
/// own samples (a Jeffreys divergence estimate, in nats). It ignores every other hypothesis.
public struct DisagreementSelection: SelectionStrategy {
    public init() {}
    public var name: String { "disagreement" }

    public func select(_ context: SelectionContext, bank: PromptBank, rng: inout SeededGenerator) -> Selection? {
        let space = bank.space
        // The MAP state of each of the two leading hypotheses stands for its hypothesis.
        var bestState = [Int](repeating: -1, count: space.hypothesisCount)
        for i in 0..<space.stateCount {
            let h = space.hypothesis(ofState: i)
            if bestState[h] < 0 || context.logWeights[i] > context.logWeights[bestState[h]] { bestState[h] = i }
        }
        let ranked = bestState.sorted { context.logWeights[$0] > context.logWeights[$1] }
        guard ranked.count >= 2 else { return FixedOrderSelection().select(context, bank: bank, rng: &rng) }
        let (a, b) = (ranked[0], ranked[1])
        let scores = context.candidates.map { p in
            (bank.meanScore(prompt: p, from: a, under: a) - bank.meanScore(prompt: p, from: a, under: b))
                + (bank.meanScore(prompt: p, from: b, under: b) - bank.meanScore(prompt: p, from: b, under: a))
        }
        guard let (k, score) = SelectionStrategies.argmax(context, scores: scores, rng: &rng) else { return nil }
        return Selection(prompt: context.candidates[k], score: score, eig: nil)
    }
}

/// What a stopping rule sees after each observation of one fine-tuned model.
public struct StoppingContext: Sendable {
    /// Queries spent on this model so far.
    public var queriesUsed: Int
    /// Largest marginal posterior probability over hypotheses.
    public var maxPosterior: Double
    /// Best EIG in nats among the remaining candidates, when known.
    public var bestEIG: Double?

    public init(queriesUsed: Int, maxPosterior: Double, bestEIG: Double? = nil) {
        self.queriesUsed = queriesUsed
        self.maxPosterior = maxPosterior
        self.bestEIG = bestEIG
    }
}

/// Why a model stopped. Written in reports and cells as its description
/// ("posterior >= 0.95"), read back from it (`StopReason(description:)`).
public enum StopReason: Equatable, Sendable, CustomStringConvertible, Codable {
    /// The posterior passed the threshold tau.
    case confident(threshold: Double)
    /// The per-model budget was spent.
    case budgetSpent(budget: Int)
    /// No remaining prompt is expected to teach more than the floor (nats), `patience` times in a row.
    case uninformative(floor: Double)
    /// The scheduler's global budget ran out before the model stopped on its own.
    case globalBudgetSpent
    /// No candidate prompt was left.
    case noCandidates
    /// A replayed model's log has no unused record left.
    case logExhausted

    public var description: String {
        switch self {
        case .confident(let t): return "posterior >= \(t)"
        case .budgetSpent(let b): return "budget of \(b) queries spent"
        case .uninformative(let f): return "best EIG below \(f) nats"
        case .globalBudgetSpent: return "global budget spent"
        case .noCandidates: return "no candidate prompt left"
        case .logExhausted: return "log exhausted"
        }
    }

    /// The reason whose `description` is `text`; nil for any other text.
    public init?(description text: String) {
        func number(after prefix: String, before suffix: String) -> Double? {
            guard text.hasPrefix(prefix), text.hasSuffix(suffix) else { return nil }
            return Double(text.dropFirst(prefix.count).dropLast(suffix.count))
        }
        switch text {
        case "global budget spent": self = .globalBudgetSpent
        case "no candidate prompt left": self = .noCandidates
        case "log exhausted": self = .logExhausted
        default:
            if let t = number(after: "posterior >= ", before: "") { self = .confident(threshold: t) }
            else if let b = number(after: "budget of ", before: " queries spent"), let n = Int(exactly: b) { self = .budgetSpent(budget: n) }
            else if let f = number(after: "best EIG below ", before: " nats") { self = .uninformative(floor: f) }
            else { return nil }
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        guard let reason = StopReason(description: text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "\"\(text)\" is not a stop reason")
        }
        self = reason
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    /// Whether the posterior passed the threshold (the stops calibration keeps honest).
    public var isConfident: Bool {
        if case .confident = self { return true }
        return false
    }
}

/// A stopping rule: an object with state, asked after every observation (as in BoTorch).
public protocol StoppingRule: Sendable {
    /// Returns a reason to stop now, or nil to go on.
    mutating func decide(_ context: StoppingContext) -> StopReason?
    /// Forgets all state, for reuse on another model.
    mutating func reset()
    /// Whether `decide` reads `StoppingContext.bestEIG` (it costs a full EIG pass when the
    /// selection strategy does not compute it anyway).
    var usesEIG: Bool { get }
}

extension StoppingRule {
    public var usesEIG: Bool { false }
}

/// Stop when the largest marginal posterior reaches `tau`. Under a correct observation
/// model the Bayes error of the MAP answer is then at most `1 - tau`.
public struct PosteriorThreshold: StoppingRule {
    public var tau: Double
    public init(tau: Double = 0.95) {
        precondition(tau > 0 && tau <= 1, "tau must be in (0, 1]")
        self.tau = tau
    }
    public mutating func decide(_ c: StoppingContext) -> StopReason? { c.maxPosterior >= tau ? .confident(threshold: tau) : nil }
    public mutating func reset() {}
}

/// Stop after `budget` queries on this model.
public struct QueryBudget: StoppingRule {
    public var budget: Int
    public init(budget: Int) {
        precondition(budget >= 0, "a budget cannot be negative")
        self.budget = budget
    }
    public mutating func decide(_ c: StoppingContext) -> StopReason? { c.queriesUsed >= budget ? .budgetSpent(budget: budget) : nil }
    public mutating func reset() {}
}

/// Stop when the best EIG stays below `floor` nats for `patience` consecutive decisions.
public struct EIGFloor: StoppingRule {
    public var floor: Double
    public var patience: Int
    /// Queries a model always gets before the floor may stop it (low EIG still counts
    /// toward the patience meanwhile).
    public var minimumQueries: Int
    public private(set) var consecutiveLow = 0

    public init(floor: Double = 1e-3, patience: Int = 1, minimumQueries: Int = 0) {
        precondition(patience >= 1, "patience must be at least 1")
        precondition(minimumQueries >= 0, "minimumQueries cannot be negative")
        self.floor = floor
        self.patience = patience
        self.minimumQueries = minimumQueries
    }

    public mutating func decide(_ c: StoppingContext) -> StopReason? {
        guard let eig = c.bestEIG else { return nil }
        consecutiveLow = eig < floor ? consecutiveLow + 1 : 0
        return consecutiveLow >= patience && c.queriesUsed >= minimumQueries ? .uninformative(floor: floor) : nil
    }
    public mutating func reset() { consecutiveLow = 0 }
    public var usesEIG: Bool { true }
}

/// Stop as soon as any of the rules says so (every rule sees every decision, so stateful
/// rules stay up to date); the first reason in order is reported.
public struct AnyOf: StoppingRule {
    public var rules: [any StoppingRule]
    public init(_ rules: [any StoppingRule]) { self.rules = rules }

    public mutating func decide(_ c: StoppingContext) -> StopReason? {
        var reason: StopReason?
        for k in rules.indices {
            if let r = rules[k].decide(c), reason == nil { reason = r }
        }
        return reason
    }
    public mutating func reset() { for k in rules.indices { rules[k].reset() } }
    public var usesEIG: Bool { rules.contains { $0.usesEIG } }
}

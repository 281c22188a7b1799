import Common

/// When a fine-tuned model stops being asked. Keys are the property names.
public struct StoppingSettings: SettingsGroup {
    /// Stop a model when its largest posterior reaches this.
    public var threshold = 0.95
    /// Queries per model at most.
    public var budgetPerModel = 30
    /// Stop a model when the best EIG over the pool stays below this many nats twice in a row
    /// (nil: never; 0 in a spec or on the command line means never too), for every selection
    /// strategy alike. Near relatives differ by less than the misspecification of the drift
    /// model, so past this point more queries move the posterior as much toward the wrong
    /// relative as toward the right one: on round1-like, 30 queries per model gave 7.2/12
    /// right, 5 gave 8.0/12 (`Results/round1-like-budget-sweep/`), and this floor stops most
    /// models after 2 to 4 queries.
    public var eigFloor: Double? = 0.05
    /// Queries every model gets before the EIG floor may stop it.
    public var eigFloorAfter = 5
    /// Queries over all models at most (nil: none).
    public var globalBudget: Int?

    public init() {}

    /// The command line's help for each setting, by key (`attrib --help` shows these).
    public static let helpTexts: [String: String] = [
        "threshold": "Stop a model when its largest posterior probability reaches this (calibration keeps the stops at it honest).",
        "budgetPerModel": "Queries per fine-tuned model at most.",
        "globalBudget": "Queries over all models at most (default: no global budget).",
        "eigFloor": "Stop a model when the best EIG over the pool stays below this many nats twice in a row (0: never).",
        "eigFloorAfter": "Queries every model gets before the EIG floor may stop it.",
    ]

    public func problems() -> [(key: String, reason: String)] {
        var out: [(key: String, reason: String)] = []
        if !(threshold > 0 && threshold <= 1) { out.append(("threshold", "must be in (0, 1], got \(threshold)")) }
        if budgetPerModel < 1 { out.append(("budgetPerModel", "must be at least 1, got \(budgetPerModel)")) }
        if let eigFloor, !(eigFloor >= 0 && eigFloor.isFinite) { out.append(("eigFloor", "cannot be negative, got \(eigFloor)")) }
        if eigFloorAfter < 0 { out.append(("eigFloorAfter", "cannot be negative, got \(eigFloorAfter)")) }
        if let globalBudget, globalBudget < 1 { out.append(("globalBudget", "must be at least 1, got \(globalBudget)")) }
        return out
    }

    /// Every model's stopping rule: the threshold, the budget and the EIG floor.
    public var rule: any StoppingRule {
        var rules: [any StoppingRule] = [PosteriorThreshold(tau: threshold), QueryBudget(budget: budgetPerModel)]
        if let eigFloor, eigFloor > 0 { rules.append(EIGFloor(floor: eigFloor, patience: 2, minimumQueries: eigFloorAfter)) }
        return AnyOf(rules)
    }
}

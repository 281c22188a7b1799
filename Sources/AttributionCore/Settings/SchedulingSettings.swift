import Common

/// How the next prompt is chosen and how many queries fly at once. Keys are the property names.
public struct SchedulingSettings: SettingsGroup {
    /// Selection strategy (encoded as its name).
    public var strategy = StrategyKind.eig
    /// How a strategy chooses among prompts of tied scores (`TieBreak`).
    public var tieBreak = TieBreak.shuffle
    /// Relative tolerance within which two prompts' scores tie (`SelectionStrategies.argmax`):
    /// 1e-9 ties exact equals only; 0.05 ties every prompt within 5% of the best score.
    public var tieTolerance = SelectionStrategies.tieTolerance
    /// Whether a model may be asked a prompt again before it has been asked every prompt of the
    /// pool as often (`Scheduler.allowRepeats`), for every selection strategy alike. Off by
    /// default: greedy EIG otherwise asks its favourite prompt again and again, and every answer
    /// to it carries the same misfit. On round2-like (5 seeds) that took EIG from 14.6/24 with
    /// 270 queries to 15.4/24 with 178; on round1-like (15 seeds) 7.1/12 against 6.7/12, within
    /// noise.
    public var repeatPrompts = false
    /// Queries in flight at once (one per model).
    public var concurrency = 4
    /// Prompts kept of the pool by offline screening once its tensors are built
    /// (`PoolScreening`: prior EIG, divergence between candidates sharing a tokenizer, a
    /// diversity term); nil: the whole pool.
    public var screenTo: Int?

    public init() {}

    /// The command line's help for each setting, by key (`attrib --help` shows these).
    public static let helpTexts: [String: String] = [
        "strategy": "Prompt selection.",
        "tieBreak": "Among prompts of tied scores: shuffle (seeded), cheapest (lowest cost, then shortest) or shared (asked of another model already).",
        "tieTolerance": "Relative tolerance within which scores tie (1e-9: exact ties only; 0.05: within 5% of the best).",
        "repeatPrompts": "Allow asking a model a prompt again before it has been asked every prompt of the pool (every strategy alike).",
        "concurrency": "Queries in flight at once (at most one per model).",
        "screenTo": "Keep only this many prompts of the pool, screened on the tensors before any query (prior EIG, divergence between candidates sharing a tokenizer, diversity).",
    ]

    public func problems() -> [(key: String, reason: String)] {
        var out: [(key: String, reason: String)] = []
        if !(tieTolerance >= 0 && tieTolerance < 1) { out.append(("tieTolerance", "must be in [0, 1), got \(tieTolerance)")) }
        if concurrency < 1 { out.append(("concurrency", "must be at least 1, got \(concurrency)")) }
        if let n = screenTo, n < 1 { out.append(("screenTo", "must be at least 1, got \(n)")) }
        return out
    }
}

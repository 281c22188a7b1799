import Common

/// How a selection strategy chooses among prompts whose scores tie: scores within a
/// relative tolerance of the best (`SelectionContext.tieTolerance`) count as equal, and the
/// rule orders the tied prompts; prompts still equal under the rule are drawn by a seeded
/// shuffle. Applies to the strategies that score prompts (`eig`, `eig-per-cost`,
/// `disagreement`); `random`, `fixed` and `probes` do not score, so nothing ties there.
public enum TieBreak: String, CaseIterable, Codable, Sendable {
    /// A seeded uniform draw among the tied prompts (the default).
    case shuffle
    /// The lowest cost first, then the shortest prompt (characters): an MLMAC answer is
    /// capped with its prompt, so a shorter prompt leaves more tokens of answer.
    case cheapest
    /// Prompts already asked of another fine-tuned model (answered or in flight) first, so
    /// the fine-tunes' answers come from fewer prompts.
    case shared

    /// Ranks for `.cheapest`, one per prompt (lower first): the dense rank of
    /// (cost, length), so prompts equal in both share a rank and are shuffled.
    public static func cheapestRanks(costs: [Double], lengths: [Int]) -> [Int] {
        precondition(costs.count == lengths.count, "one cost and one length per prompt")
        let keys = zip(costs, lengths).map { Key(cost: $0, length: $1) }
        let distinct = Array(Set(keys)).sorted()
        let rank = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, $0) })
        return keys.map { rank[$0]! }
    }

    private struct Key: Hashable, Comparable {
        var cost: Double
        var length: Int
        static func < (a: Key, b: Key) -> Bool { a.cost != b.cost ? a.cost < b.cost : a.length < b.length }
    }

    /// Ranks for `.shared`, one per prompt of `count`: 0 for a prompt in `elsewhere`, 1 otherwise.
    public static func sharedRanks(count: Int, elsewhere: Set<Int>) -> [Int] {
        (0..<count).map { elsewhere.contains($0) ? 0 : 1 }
    }
}

extension SelectionStrategies {
    /// The candidate with the largest score. Scores within `tolerance * max(1, |best|)` of the
    /// best tie; among tied candidates those of the lowest `ranks[prompt]` (nil: all equal)
    /// remain, and a seeded shuffle picks one, so equal scores never silently favour the
    /// lowest index. NaN scores are never chosen.
    public static func argmax(candidates: [Int], scores: [Double], tolerance: Double = tieTolerance, ranks: [Int]? = nil,
                              rng: inout SeededGenerator) -> (index: Int, score: Double)? {
        precondition(candidates.count == scores.count, "one score per candidate")
        guard let best = scores.filter({ !$0.isNaN }).max() else { return nil }
        let tol = tolerance * max(1, abs(best))
        var tied = (0..<scores.count).filter { scores[$0] >= best - tol }
        if let ranks, tied.count > 1 {
            let lowest = tied.map { ranks[candidates[$0]] }.min()!
            tied = tied.filter { ranks[candidates[$0]] == lowest }
        }
        let pick = tied.count == 1 ? tied[0] : tied.randomElement(using: &rng)!
        return (pick, scores[pick])
    }

    /// `argmax` under the context's tie-break.
    public static func argmax(_ context: SelectionContext, scores: [Double], rng: inout SeededGenerator) -> (index: Int, score: Double)? {
        argmax(candidates: context.candidates, scores: scores, tolerance: context.tieTolerance, ranks: context.tieRanks, rng: &rng)
    }
}

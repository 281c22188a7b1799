import Foundation

/// The pairwise floor read the other way: for a total budget of queries, the most fine-tunes
/// any method can expect to attribute right.
///
/// For one fine-tune and one competing world the two-point argument says: a method right with
/// probability `a` in both worlds after `n` queries needs `d(a‖1−a) ≤ n·D`, where `D` is the
/// largest per-query divergence over the pool (nats). So `a ≤ a*(n·D)`, the largest `a` in
/// [0.5, 1] with `d(a‖1−a) ≤ n·D`. The fine-tune's ceiling is the smallest over its worlds,
/// `a*(n · min D)`. Fine-tunes with no same-tokenizer competitor (and `None`) are counted as
/// always right with no query: the bound says nothing about them, so the ceiling stays an
/// upper bound. The budget is then split between fine-tunes to maximise the sum (exactly, by
/// dynamic programming over whole queries).
extension ZooFigures {
    /// The largest accuracy `a` in [0.5, 1] with `d(a‖1−a) ≤ divergence` (nats); 0.5 at 0,
    /// 1 at infinity. Bisection to 1e-12.
    public static func accuracyReachable(divergence: Double) -> Double {
        guard divergence > 0 else { return 0.5 }
        guard divergence.isFinite else { return 1 }
        var low = 0.5, high = 1.0
        for _ in 0..<80 {
            let mid = (low + high) / 2
            if binaryDivergence(mid, 1 - mid) <= divergence { low = mid } else { high = mid }
            if high - low < 1e-12 { break }
        }
        return low
    }

    /// How a total budget is best split between the fine-tunes of a floor table.
    public struct AccuracyCeiling: Codable, Sendable, Hashable {
        /// Total queries over the zoo.
        public var totalQueries: Int
        /// Queries given to each fine-tune, in the table's row order (0 where the bound says nothing).
        public var queries: [Int]
        /// The accuracy ceiling of each fine-tune at its queries (1 where the bound says nothing).
        public var accuracy: [Double]
        /// Sum of `accuracy`: the most fine-tunes any method can expect to get right.
        public var expectedCorrect: Double
    }
}

extension ZooFigures.FloorTable {
    /// The accuracy ceiling of every fine-tune at `totalQueries` queries over the zoo, the
    /// queries split to maximise the expected number right (see `ZooFigures.AccuracyCeiling`).
    public func accuracyCeiling(totalQueries: Int) -> ZooFigures.AccuracyCeiling {
        precondition(totalQueries >= 0, "a budget cannot be negative")
        let divergence: [Double?] = rows.map { row in row.bounds.map(\.maxDivergence).min() }
        let bounded = divergence.indices.filter { divergence[$0] != nil }
        func value(_ row: Int, _ n: Int) -> Double { ZooFigures.accuracyReachable(divergence: Double(n) * divergence[row]!) }
        // best[k][b]: the largest sum over the first k bounded rows with b queries.
        let budget = totalQueries
        var best = [[Double]](repeating: [Double](repeating: 0, count: budget + 1), count: bounded.count + 1)
        var choice = [[Int]](repeating: [Int](repeating: 0, count: budget + 1), count: bounded.count + 1)
        for (k, row) in bounded.enumerated() {
            let values = (0...budget).map { value(row, $0) }
            for b in 0...budget {
                var top = -Double.infinity, pick = 0
                for n in 0...b where best[k][b - n] + values[n] > top + 1e-15 {
                    top = best[k][b - n] + values[n]
                    pick = n
                }
                best[k + 1][b] = top
                choice[k + 1][b] = pick
            }
        }
        var queries = [Int](repeating: 0, count: rows.count)
        var left = budget
        for k in stride(from: bounded.count, to: 0, by: -1) {
            queries[bounded[k - 1]] = choice[k][left]
            left -= choice[k][left]
        }
        let accuracy = rows.indices.map { divergence[$0] == nil ? 1 : value($0, queries[$0]) }
        return ZooFigures.AccuracyCeiling(totalQueries: totalQueries, queries: queries, accuracy: accuracy,
                                          expectedCorrect: accuracy.reduce(0, +))
    }

    /// Markdown lines: the ceiling at each budget of `budgets`, with the split.
    public func ceilingMarkdown(budgets: [Int]) -> [String] {
        var lines = ["Accuracy ceiling (the same bound read the other way): the most fine-tunes any method can expect to attribute right with a total budget of queries, each fine-tune right with probability at most a*(n·min KL), where d(a*‖1−a*) = n·min KL, the budget split optimally. Fine-tunes the bound says nothing about count as right for free, so this is an upper bound.", "",
                     "| total queries | expected right at most | of | queries per fine-tune (by id) |", "|---|---|---|---|"]
        for budget in budgets {
            let ceiling = accuracyCeiling(totalQueries: budget)
            let split = zip(rows, ceiling.queries).filter { !$0.0.bounds.isEmpty }.map { "\($0.0.id): \($0.1)" }.joined(separator: ", ")
            lines.append("| \(budget) | \(String(format: "%.2f", ceiling.expectedCorrect)) | \(rows.count) | \(split) |")
        }
        return lines
    }
}

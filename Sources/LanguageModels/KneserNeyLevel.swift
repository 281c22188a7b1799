/// One order of an interpolated modified Kneser-Ney model (Chen & Goodman 1998):
///
///     p_k(w | h) = max(c(h w) - D(c(h w)), 0) / c(h)  +  gamma(h) p_{k-1}(w | h')
///     gamma(h)  = (D1 N1(h) + D2 N2(h) + D3 N3+(h)) / c(h)
///
/// with raw counts at the top order and continuation counts (distinct left extensions) below.
/// The discounts D1, D2, D3+ come from this order's count-of-counts. Stored ready to use:
/// each seen follower's discounted weight, and each context's back-off weight gamma.
struct KneserNeyLevel: Sendable {
    /// The n of this order; contexts have `order - 1` tokens.
    let order: Int
    /// Index of each seen context.
    let contextIndex: [TokenTuple: Int32]
    /// Followers of context i are `followerStart[i]..<followerStart[i + 1]`.
    let followerStart: [Int32]
    let followerToken: [Int32]
    /// max(c - D(c), 0) / c(h) for each follower.
    let followerWeight: [Double]
    /// Back-off weight of each context (mass left for the lower order).
    let gamma: [Double]
    /// The discounts D1, D2, D3+.
    let discounts: (Double, Double, Double)

    /// Builds the level from this order's sorted n-gram counts.
    init(counts: NGramCounts) {
        let order = counts.order
        self.order = order
        var countOfCounts = [Int64](repeating: 0, count: 5)
        for count in counts.counts where count <= 4 { countOfCounts[Int(count)] += 1 }
        let discounts = Self.discounts(countOfCounts)
        self.discounts = discounts

        var contextIndex: [TokenTuple: Int32] = [:]
        var followerStart: [Int32] = []
        var followerToken: [Int32] = []
        var followerWeight: [Double] = []
        var gamma: [Double] = []
        followerToken.reserveCapacity(counts.keys.count)
        followerWeight.reserveCapacity(counts.keys.count)
        var start = 0
        while start < counts.keys.count {
            let context = counts.keys[start].prefix(order - 1)
            var end = start + 1
            while end < counts.keys.count, counts.keys[end].prefix(order - 1) == context { end += 1 }
            var total: Int64 = 0
            var removed = 0.0
            for i in start..<end {
                total += counts.counts[i]
                removed += Self.discount(counts.counts[i], discounts)
            }
            contextIndex[context] = Int32(gamma.count)
            followerStart.append(Int32(start))
            let denominator = Double(total)
            for i in start..<end {
                let count = counts.counts[i]
                followerToken.append(Int32(counts.keys[i].token(at: order - 1)))
                followerWeight.append(max(Double(count) - Self.discount(count, discounts), 0) / denominator)
            }
            gamma.append(removed / denominator)
            start = end
        }
        followerStart.append(Int32(counts.keys.count))
        self.contextIndex = contextIndex
        self.followerStart = followerStart
        self.followerToken = followerToken
        self.followerWeight = followerWeight
        self.gamma = gamma
    }

    static func discount(_ count: Int64, _ discounts: (Double, Double, Double)) -> Double {
        switch count {
        case 1: discounts.0
        case 2: discounts.1
        default: discounts.2
        }
    }

    /// Chen & Goodman's estimates from the numbers n1...n4 of n-grams seen exactly 1...4 times,
    /// clamped into (0, c) so every seen n-gram keeps positive mass; conventional values when
    /// the counts are too few to estimate.
    static func discounts(_ n: [Int64]) -> (Double, Double, Double) {
        guard n[1] > 0, n[2] > 0, n[3] > 0, n[4] > 0 else { return (0.5, 1.0, 1.5) }
        let n1 = Double(n[1]), n2 = Double(n[2]), n3 = Double(n[3]), n4 = Double(n[4])
        let y = n1 / (n1 + 2 * n2)
        let d1 = 1 - 2 * y * n2 / n1
        let d2 = 2 - 3 * y * n3 / n2
        let d3 = 3 - 4 * y * n4 / n3
        return (min(max(d1, 0.05), 0.95), min(max(d2, 0.05), 1.95), min(max(d3, 0.05), 2.95))
    }

    /// Continuation counts of the order below: for each (order - 1)-gram, the number of
    /// distinct tokens seen to its left among this order's n-grams.
    static func continuationCounts(of counts: NGramCounts) -> NGramCounts {
        let suffixes = counts.keys.map { $0.droppingFirst() }.sorted()
        return NGramCounts.runLengths(sorted: suffixes, order: counts.order - 1)
    }
}

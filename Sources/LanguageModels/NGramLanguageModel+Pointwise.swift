/// Point evaluation of an n-gram model's next-token distribution: the probability of one
/// token, and the temperature normaliser, without building the vocabulary-sized vector.
///
/// Interpolated Kneser-Ney gives, for the matched contexts h_1 (shortest) ... h_m (longest)
/// of a context,
///
///     p_k(w) = f_k(w) + gamma_k p_{k-1}(w),    p_0 = the smoothed unigram,
///
/// where f_k(w) > 0 only for the seen followers F_k of h_k. The power sum that a temperature
/// T needs, Z(h_k) = sum over w of p_k(w)^a with a = 1/T, then follows from the one below:
///
///     Z(h_k) = gamma_k^a Z(h_{k-1}) + sum over w in F_k of [p_k(w)^a - (gamma_k p_{k-1}(w))^a]
///
/// so each context costs its seen followers, not the vocabulary, and the lower contexts'
/// sums are shared through a memo. The decoded log-probability is a log p(w) - log Z.
extension NGramLanguageModel {
    /// The matched contexts of `context`, shortest first: (index into `levels`, context index).
    /// Only the last `order - 1` tokens matter; a longer context is seen only if its
    /// suffixes are, so matching stops at the first unseen one.
    func matchedChain(context: [Int]) -> [MatchedContext] {
        var matched: [MatchedContext] = []
        var length = 0
        while length + 1 < order, length < context.count {
            length += 1
            let key = TokenTuple(context.suffix(length))
            guard let index = levels[length].contextIndex[key] else { break }
            matched.append(MatchedContext(level: length, context: Int(index)))
        }
        return matched
    }

    /// f(w) of one matched context: the discounted weight of follower `token`, 0 when unseen.
    /// Followers of a context are stored in ascending token order (the counts are sorted).
    func followerWeight(of token: Int, in matched: MatchedContext) -> Double {
        let level = levels[matched.level]
        var low = Int(level.followerStart[matched.context])
        var high = Int(level.followerStart[matched.context + 1])
        let target = Int32(token)
        while low < high {
            let middle = (low + high) / 2
            let found = level.followerToken[middle]
            if found == target { return level.followerWeight[middle] }
            if found < target { low = middle + 1 } else { high = middle }
        }
        return 0
    }

    /// p(token) after the matched contexts `chain` (shortest first; empty: the unigram).
    func probability(of token: Int, chain: ArraySlice<MatchedContext>) -> Double {
        var p = unigram[token]
        for matched in chain {
            p = followerWeight(of: token, in: matched) + levels[matched.level].gamma[matched.context] * p
        }
        return p
    }

    /// Z = sum over the vocabulary of p(w)^exponent after the matched contexts `chain`.
    /// `memo` holds the sums already computed for this exponent, keyed by `memoKey`.
    func powerSum(chain: ArraySlice<MatchedContext>, exponent: Double, memo: inout [Int: Double]) -> Double {
        let key = chain.last.map(Self.memoKey) ?? -1
        if let known = memo[key] { return known }
        let sum: Double
        if let top = chain.last {
            let below = chain.dropLast()
            let gamma = levels[top.level].gamma[top.context]
            var seen = 0.0
            let level = levels[top.level]
            for i in Int(level.followerStart[top.context])..<Int(level.followerStart[top.context + 1]) {
                let lower = gamma * probability(of: Int(level.followerToken[i]), chain: below)
                seen += cPow(level.followerWeight[i] + lower, exponent) - cPow(lower, exponent)
            }
            sum = cPow(gamma, exponent) * powerSum(chain: below, exponent: exponent, memo: &memo) + seen
        } else {
            sum = unigram.reduce(0) { $0 + cPow($1, exponent) }
        }
        memo[key] = sum
        return sum
    }

    static func memoKey(_ matched: MatchedContext) -> Int { matched.level << 40 | matched.context }
}

/// One matched context of an n-gram model: its order's index in `levels` and its index there.
struct MatchedContext: Hashable, Sendable {
    let level: Int
    let context: Int
}

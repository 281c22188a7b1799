import Foundation

/// Offline screening of a candidate pool (issue 29): keep the `count` prompts most worth
/// asking, judged on the tensors alone before any query. A prompt's worth is its prior EIG
/// plus its divergence between same-family candidates (near relatives, where accuracy is
/// lost), each scaled by its largest value over the pool; prompts are kept greedily, each
/// losing `diversity` times its largest similarity to a prompt already kept (cosine of the
/// two prompts' profiles of divergence over every pair of hypotheses), so that the kept
/// prompts separate different pairs rather than the same pair many times over.
public struct PoolScreening: Sendable {
    /// Groups of hypotheses (indices) that are near relatives; pairs within a group are the
    /// ones whose divergence counts. Empty: prior EIG alone.
    public var families: [[Int]]
    /// Weight of the similarity penalty (0: none).
    public var diversity: Double

    public init(families: [[Int]], diversity: Double = 0.5) {
        self.families = families
        self.diversity = diversity
    }

    /// Jeffreys divergence in nats between hypotheses `a` and `b` on prompt `p`, averaged over
    /// the latent grid: `E_a[log a - log b] + E_b[log b - log a]` from the tensor's samples.
    public static func divergence(_ bank: PromptBank, prompt p: Int, _ a: Int, _ b: Int) -> Double {
        let space = bank.space
        var total = 0.0
        for g in 0..<space.gridCount {
            let i = space.state(hypothesis: a, gridPoint: g), j = space.state(hypothesis: b, gridPoint: g)
            total += bank.meanScore(prompt: p, from: i, under: i) - bank.meanScore(prompt: p, from: i, under: j)
                + bank.meanScore(prompt: p, from: j, under: j) - bank.meanScore(prompt: p, from: j, under: i)
        }
        // A sample one hypothesis cannot produce at all scores -1e4: clamp as the ratios are.
        return min(total / Double(space.gridCount), Double(PromptBank.ratioClamp))
    }

    /// The kept prompts' indices into the bank, in the order kept (best first); all of them
    /// when `count` is at least the bank's size.
    public func keep(_ count: Int, of bank: PromptBank) -> [Int] {
        let n = bank.count
        guard count < n else { return Array(0..<n) }
        let hypotheses = bank.space.hypothesisCount
        let pairs = (0..<hypotheses).flatMap { a in ((a + 1)..<hypotheses).map { (a, $0) } }
        // Each prompt's divergence over every pair, computed once: the profile and the family sum read it.
        let divergences = (0..<n).map { p in pairs.map { max(0, Self.divergence(bank, prompt: p, $0.0, $0.1)) } }
        let profiles = divergences.map { v -> [Double] in
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return norm > 0 ? v.map { $0 / norm } : v
        }
        let inFamily = Set(families.flatMap { f in f.indices.flatMap { x in f[(x + 1)...].map { [min(f[x], $0), max(f[x], $0)] } } })
        let familyPairs = pairs.indices.filter { inFamily.contains([pairs[$0].0, pairs[$0].1]) }
        let eig = bank.eig(logWeights: bank.space.logPriorStates)
        let family = divergences.map { v in familyPairs.reduce(0) { $0 + v[$1] } }
        func scaled(_ v: [Double]) -> [Double] {
            let top = v.max() ?? 0
            return top > 0 ? v.map { $0 / top } : v.map { _ in 0 }
        }
        let worth = zip(scaled(eig), scaled(family)).map { $0 + $1 }
        var kept = [Int](), open = Set(0..<n)
        var similarity = [Double](repeating: 0, count: n)
        while kept.count < count {
            // Ties go to the lower index, so the same bank keeps the same prompts.
            let best = open.max { a, b in
                let sa = worth[a] - diversity * similarity[a], sb = worth[b] - diversity * similarity[b]
                return sa != sb ? sa < sb : a > b
            }!
            kept.append(best)
            open.remove(best)
            for p in open {
                similarity[p] = max(similarity[p], zip(profiles[p], profiles[best]).reduce(0) { $0 + $1.0 * $1.1 })
            }
        }
        return kept
    }
}

extension PromptBank {
    /// The bank of prompts `indices` (in that order): the same tensors and costs.
    public func subset(_ indices: [Int]) -> PromptBank {
        PromptBank(space: space, tensors: indices.map { tensors[$0] }, costs: indices.map { costs[$0] })
    }
}

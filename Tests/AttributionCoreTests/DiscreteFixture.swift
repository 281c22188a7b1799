import Common
import Foundation
@testable import AttributionCore

/// A tiny finite world for exact answers: each state has a known distribution over a few
/// outcomes, and the log-likelihood of an outcome under a state is its log-probability.
struct DiscreteFixture {
    /// `probs[i][o]`: probability of outcome o under state i.
    let probs: [[Double]]

    var logProbs: [[Double]] { probs.map { $0.map { log($0) } } }
    var states: Int { probs.count }

    func sample(state i: Int, rng: inout SeededGenerator) -> Int {
        let u = rng.nextUnit()
        var c = 0.0
        for (o, p) in probs[i].enumerated() { c += p; if u < c { return o } }
        return probs[i].count - 1
    }

    /// A Monte Carlo tensor with `samples` outcomes drawn per state.
    func tensor(samples: Int, seed: UInt64) -> CrossScoreTensor {
        var rng = SeededGenerator(seed: seed)
        var drawn = [[Int]]()
        for i in 0..<states { drawn.append((0..<samples).map { _ in sample(state: i, rng: &rng) }) }
        return CrossScoreTensor(states: states, samples: samples) { i, s, j in log(probs[j][drawn[i][s]]) }
    }

    /// A random fixture with `states` states over `outcomes` outcomes (all probabilities > 0).
    static func random(states: Int, outcomes: Int, rng: inout SeededGenerator) -> DiscreteFixture {
        DiscreteFixture(probs: (0..<states).map { _ in
            let w = (0..<outcomes).map { _ in 0.05 + rng.nextUnit() }
            let t = w.reduce(0, +)
            return w.map { $0 / t }
        })
    }
}

/// Binary entropy in nats, written out by hand for closed-form checks.
func binaryEntropy(_ p: Double) -> Double { -(p * log(p) + (1 - p) * log(1 - p)) }

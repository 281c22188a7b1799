import Common
import Foundation
import PropertyBased
import Testing
@testable import AttributionCore

@Suite struct InformationGainTests {
    let two = [0, 1]

    @Test func exactEIGEqualsBinaryMutualInformationByHand() {
        // pi = (0.3, 0.7), P(Y = 1 | h) = (0.9, 0.2). I(H; Y) = H(Y) - sum_h pi_h H(Y | h).
        let f = DiscreteFixture(probs: [[0.1, 0.9], [0.8, 0.2]])
        let pi = [0.3, 0.7]
        let byHand = binaryEntropy(0.3 * 0.9 + 0.7 * 0.2) - 0.3 * binaryEntropy(0.9) - 0.7 * binaryEntropy(0.2)
        let exact = InformationGain.exact(outcomeLogProbs: f.logProbs, logWeights: pi.map { log($0) }, hypothesisOfState: two)
        #expect(abs(exact - byHand) < 1e-12)
        #expect(byHand > 0.2)  // a non-trivial fixture
    }

    @Test func monteCarloConvergesToExactAsSamplesGrow() {
        let f = DiscreteFixture(probs: [[0.1, 0.6, 0.3], [0.5, 0.2, 0.3], [0.3, 0.3, 0.4]])
        let lw = [0.5, 0.3, 0.2].map { log($0) }
        let hyp = [0, 1, 2]
        let exact = InformationGain.exact(outcomeLogProbs: f.logProbs, logWeights: lw, hypothesisOfState: hyp)
        var errors = [Double]()
        for s in [16, 256, 4096, 65536] {
            // Average the absolute error over a few seeds so the trend is not luck.
            let e = (0..<4).map { seed in
                abs(InformationGain.monteCarlo(f.tensor(samples: s, seed: UInt64(seed)), logWeights: lw, hypothesisOfState: hyp) - exact)
            }.reduce(0, +) / 4
            errors.append(e)
        }
        #expect(errors.last! < 0.005)
        #expect(errors.last! < errors.first! / 10)
    }

    @Test func fastBankAgreesWithDoublePrecisionReference() {
        var rng = SeededGenerator(seed: 7)
        let space = HypothesisSpace(baseNames: ["a", "b", "c", "d"], noneMass: 0.2)
        let fixtures = (0..<5).map { _ in DiscreteFixture.random(states: space.stateCount, outcomes: 6, rng: &rng) }
        let bank = PromptBank(space: space, tensors: fixtures.enumerated().map { $1.tensor(samples: 64, seed: UInt64($0)) })
        let lw = LogSpace.normalised([0.1, -1, 2, 0.5, -3])
        let fast = bank.eig(logWeights: lw)
        for p in 0..<bank.count {
            let ref = InformationGain.monteCarlo(bank.tensors[p], logWeights: lw, hypothesisOfState: space.hypothesisOfState)
            #expect(abs(fast[p] - ref) < 1e-4)
        }
    }

    @Test func latentGridEIGIsAboutTheHypothesisOnly() {
        // Hypothesis 0 has two latent states with different outcome laws; hypothesis 1 one law
        // equal to their mixture. Information about the latent value alone is not rewarded.
        let space = HypothesisSpace(baseNames: ["a", "b"], noneMass: 0, latentGrid: [0.1, 0.5])
        let f = DiscreteFixture(probs: [[0.9, 0.1], [0.1, 0.9], [0.5, 0.5], [0.5, 0.5]])
        let lw = space.logPriorStates
        let exact = InformationGain.exact(outcomeLogProbs: f.logProbs, logWeights: lw, hypothesisOfState: space.hypothesisOfState)
        #expect(abs(exact) < 1e-12)
        // Unequal within-hypothesis weights: now the predictive laws differ; MC and the fast path agree with exact.
        let lw2 = LogSpace.normalised([log(0.4), log(0.1), log(0.25), log(0.25)])
        let exact2 = InformationGain.exact(outcomeLogProbs: f.logProbs, logWeights: lw2, hypothesisOfState: space.hypothesisOfState)
        let t = f.tensor(samples: 40000, seed: 3)
        let mc = InformationGain.monteCarlo(t, logWeights: lw2, hypothesisOfState: space.hypothesisOfState)
        let fast = PromptBank(space: space, tensors: [t]).eig(logWeights: lw2)[0]
        #expect(exact2 > 0.02)
        #expect(abs(mc - exact2) < 0.01)
        #expect(abs(fast - mc) < 1e-4)
    }

    @Test func eigIsZeroWhenAllHypothesesAgree() {
        let f = DiscreteFixture(probs: Array(repeating: [0.2, 0.3, 0.5], count: 4))
        let lw = LogSpace.normalised([0, 1, 2, 3])
        let hyp = [0, 1, 2, 3]
        #expect(abs(InformationGain.exact(outcomeLogProbs: f.logProbs, logWeights: lw, hypothesisOfState: hyp)) < 1e-12)
        let t = f.tensor(samples: 32, seed: 1)
        #expect(abs(InformationGain.monteCarlo(t, logWeights: lw, hypothesisOfState: hyp)) < 1e-12)
        let space = HypothesisSpace(baseNames: ["a", "b", "c"], noneMass: 0.25)
        #expect(abs(PromptBank(space: space, tensors: [t]).eig(logWeights: lw)[0]) < 1e-6)
    }

    @Test func exactEIGIsNeverNegative() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededGenerator(seed: UInt64(seed))
            let states = 2 + Int(rng.next() % 5)
            let f = DiscreteFixture.random(states: states, outcomes: 2 + Int(rng.next() % 4), rng: &rng)
            let lw = LogSpace.normalised((0..<states).map { _ in 4 * rng.nextUnit() })
            let hyp = (0..<states).map { $0 / 2 }  // pairs of states share a hypothesis
            let eig = InformationGain.exact(outcomeLogProbs: f.logProbs, logWeights: lw, hypothesisOfState: hyp)
            #expect(eig >= -1e-12)
            // Mutual information never exceeds the hypothesis entropy.
            var mass = [Double](repeating: 0, count: hyp.max()! + 1)
            for (i, h) in hyp.enumerated() { mass[h] += exp(lw[i]) }
            #expect(eig <= LogSpace.entropy(mass) + 1e-12)
        }
    }

    @Test func fanoBoundMatchesFormula() {
        let n = FanoBound.minimumQueries(hypotheses: 13, errorRate: 0.05, capacityNats: 0.5)
        #expect(abs(n - (0.95 * log(13.0) - log(2.0)) / 0.5) < 1e-12)
        #expect(FanoBound.minimumQueries(hypotheses: 2, errorRate: 0.5, capacityNats: 1) == 0)
    }
}

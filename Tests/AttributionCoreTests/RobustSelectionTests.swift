import Common
import Foundation
import Testing
@testable import AttributionCore

@Suite struct RobustSelectionTests {
    let space = HypothesisSpace(baseNames: ["a", "b"], noneMass: 0)

    /// Prompt 0: both hypotheses answer alike. Prompt 1: they differ a little. Prompt 2: a lot.
    var bank: PromptBank {
        let fixtures = [DiscreteFixture(probs: [[0.5, 0.5], [0.5, 0.5]]),
                        DiscreteFixture(probs: [[0.6, 0.4], [0.4, 0.6]]),
                        DiscreteFixture(probs: [[0.95, 0.05], [0.05, 0.95]])]
        return PromptBank(space: space, tensors: fixtures.enumerated().map { $1.tensor(samples: 256, seed: UInt64($0)) })
    }

    @Test func temperedEIGScoresUnderTheTemperedPosterior() {
        let lw = [log(0.99), log(0.01)]
        let ctx = SelectionContext(logWeights: lw, candidates: [0, 1, 2])
        var r1 = SeededGenerator(seed: 1), r2 = SeededGenerator(seed: 1)
        // Power 1 is plain EIG.
        #expect(TemperedEIG(power: 1).select(ctx, bank: bank, rng: &r1) == GreedyEIG().select(ctx, bank: bank, rng: &r2))
        // Power 1/2: weights proportional to the square roots, 0.9087 and 0.0913.
        let s = TemperedEIG(power: 0.5).select(ctx, bank: bank, rng: &r1)!
        let w = 0.99.squareRoot() / (0.99.squareRoot() + 0.01.squareRoot())
        #expect(s.prompt == 2)
        #expect(abs(s.score - bank.eig(logWeights: [log(w), log(1 - w)], candidates: [2])[0]) < 1e-9)
        #expect(s.eig == bank.eig(logWeights: lw, candidates: [2])[0])
        #expect(s.score > s.eig!)  // a flatter belief expects to learn more
    }

    @Test func exploringEIGMixesGreedyAndRandom() {
        let ctx = SelectionContext(logWeights: space.logPriorStates, candidates: [0, 1, 2])
        var rng = SeededGenerator(seed: 7)
        #expect((0..<30).allSatisfy { _ in ExploringEIG(exploration: 0).select(ctx, bank: bank, rng: &rng)?.prompt == 2 })
        let all = (0..<60).map { _ in ExploringEIG(exploration: 1).select(ctx, bank: bank, rng: &rng)!.prompt }
        #expect(Set(all) == [0, 1, 2])
        let mixed = (0..<400).map { _ in ExploringEIG(exploration: 0.3).select(ctx, bank: bank, rng: &rng)!.prompt }
        // Prompt 0 only when exploring (a third of the 30%): about 40 of 400.
        #expect((20...65).contains(mixed.filter { $0 == 0 }.count))
        var r1 = SeededGenerator(seed: 9), r2 = SeededGenerator(seed: 9)
        #expect(ExploringEIG().select(ctx, bank: bank, rng: &r1) == ExploringEIG().select(ctx, bank: bank, rng: &r2))
    }

    /// Two drift levels: prompt 0 separates the hypotheses only at low drift, prompt 1 a little
    /// at both. With the posterior sure of high drift, EIG asks prompt 1; the ensemble, which
    /// weighs both levels alike, asks prompt 0. Closed forms: I = ln 2 - H(p) per level.
    @Test func ensembleEIGAveragesTheDriftLevels() throws {
        let grid = HypothesisSpace(baseNames: ["a", "b"], noneMass: 0, latentGrid: [0.1, 0.6])
        // States: (a, low), (a, high), (b, low), (b, high).
        let sharpAtLow = DiscreteFixture(probs: [[0.99, 0.01], [0.5, 0.5], [0.01, 0.99], [0.5, 0.5]])
        let mild = DiscreteFixture(probs: [[0.7, 0.3], [0.7, 0.3], [0.3, 0.7], [0.3, 0.7]])
        let bank = PromptBank(space: grid, tensors: [sharpAtLow.tensor(samples: 4096, seed: 1), mild.tensor(samples: 4096, seed: 2)])
        let lw = LogSpace.normalised([log(0.01), log(0.99), log(0.01), log(0.99)])
        let scores = EnsembleEIG().scores(logWeights: lw, candidates: [0, 1], bank: bank)
        #expect(abs(scores[0] - (log(2) - binaryEntropy(0.01)) / 2) < 0.02)
        #expect(abs(scores[1] - (log(2) - binaryEntropy(0.3))) < 0.02)
        var rng = SeededGenerator(seed: 3)
        let ctx = SelectionContext(logWeights: lw, candidates: [0, 1])
        #expect(GreedyEIG().select(ctx, bank: bank, rng: &rng)?.prompt == 1)
        let s = try #require(EnsembleEIG().select(ctx, bank: bank, rng: &rng))
        #expect(s.prompt == 0 && s.eig == bank.eig(logWeights: lw, candidates: [0])[0])
        // Without a grid it is plain EIG.
        let flat = self.bank
        #expect(EnsembleEIG().scores(logWeights: space.logPriorStates, candidates: [0, 1, 2], bank: flat)
                == flat.eig(logWeights: space.logPriorStates, candidates: [0, 1, 2]))
    }
}

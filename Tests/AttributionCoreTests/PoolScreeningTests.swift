import Common
import Foundation
import Testing
@testable import AttributionCore

@Suite struct PoolScreeningTests {
    let space = HypothesisSpace(baseNames: ["a", "b", "c"], noneMass: 0)

    /// Prompt 0 tells c from the family {a, b}, whose members answer alike; prompt 1 tells a
    /// from b; prompt 2 is prompt 0 again; prompt 3 tells nothing.
    var bank: PromptBank {
        let fixtures = [DiscreteFixture(probs: [[0.95, 0.05], [0.95, 0.05], [0.05, 0.95]]),
                        DiscreteFixture(probs: [[0.9, 0.1], [0.1, 0.9], [0.5, 0.5]]),
                        DiscreteFixture(probs: [[0.95, 0.05], [0.95, 0.05], [0.05, 0.95]]),
                        DiscreteFixture(probs: [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]])]
        return PromptBank(space: space, tensors: fixtures.enumerated().map { $1.tensor(samples: 4096, seed: UInt64($0 % 2)) })
    }

    @Test func divergenceIsJeffreys() {
        let b = bank
        // Sum over outcomes of (p - q) log(p / q): 1.6 ln 9 between a and b on prompt 1.
        #expect(abs(PoolScreening.divergence(b, prompt: 1, 0, 1) - 1.6 * log(9)) < 0.15)
        #expect(abs(PoolScreening.divergence(b, prompt: 0, 0, 1)) < 1e-12)
        #expect(abs(PoolScreening.divergence(b, prompt: 0, 0, 2) - 1.8 * log(19)) < 0.3)
    }

    @Test func screeningKeepsWhatSeparatesTheFamilyThenWhatIsNew() {
        let b = bank
        let screening = PoolScreening(families: [[0, 1]])
        // Prompt 1 alone separates the family; then prompt 0, then its copy (informative, though alike).
        #expect(screening.keep(3, of: b) == [1, 0, 2])
        // A strong diversity term prefers the prompt that tells nothing over a copy of a kept one.
        #expect(PoolScreening(families: [[0, 1]], diversity: 2).keep(3, of: b) == [1, 0, 3])
        // Without families, prior EIG leads: prompt 0 (three-way, 2 bits at most) before prompt 1.
        #expect(PoolScreening(families: [], diversity: 0).keep(2, of: b) == [0, 2])
        #expect(screening.keep(9, of: b) == [0, 1, 2, 3])
        let kept = b.subset([2, 0])
        #expect(kept.count == 2 && kept.meanScore(prompt: 0, from: 2, under: 0) == b.meanScore(prompt: 2, from: 2, under: 0))
    }
}

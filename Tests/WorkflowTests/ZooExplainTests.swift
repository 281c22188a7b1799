import AttributionCore
@testable import Diagnostics
import Foundation
import Testing
@testable import Workflow

/// The estimators of `attrib zoo explain`, against exact answers.
struct ZooExplainTests {
    @Test func pairedMarginIsTheMeanAndItsStandardError() {
        let (mean, se) = ZooExplain.pairedMargin([1, 2, 3, 6])
        #expect(abs(mean - 3) < 1e-12)
        // Sample variance (4 + 1 + 0 + 9) / 3 = 14/3; standard error sqrt(14/3 / 4).
        #expect(abs(se - (14.0 / 12.0).squareRoot()) < 1e-12)
        let single = ZooExplain.pairedMargin([2.5])
        #expect(single.0 == 2.5 && single.1.isNaN)
        #expect(ZooExplain.pairedMargin([]).0 == 0)
    }

    @Test func familiesGroupVariantsAndLatentStatesUnderTheirBase() {
        let space = HypothesisSpace(baseNames: ["a", "b", "a@genre:0.3"], noneMass: 0.1, latentGrid: [0.1, 0.5])
        let families = ZooExplain.families(space)
        #expect(families.map(\.name) == ["a", "b", "None"])
        // Two grid points per hypothesis: a's states and its variant's.
        #expect(families[0].states == [0, 1, 4, 5])
        #expect(families[1].states == [2, 3])
        #expect(families[2].states == [6, 7])
    }

    @Test func resampledAccuracyIsExactWhenEveryAnswerAgrees() {
        let space = HypothesisSpace(baseNames: ["a", "b"], noneMass: 0.1)
        // Every answer favours a over b and None by 1 nat: the truth a always wins, b never does.
        let rows = [[0.0, -1.0, -1.0], [-0.5, -1.5, -1.5]]
        #expect(ZooExplain.resampledAccuracy(rows: rows, space: space, truth: "a", queries: 3, draws: 200, seed: 1) == 1)
        #expect(ZooExplain.resampledAccuracy(rows: rows, space: space, truth: "b", queries: 3, draws: 200, seed: 1) == 0)
        #expect(ZooExplain.resampledAccuracy(rows: rows, space: space, truth: "nobody", queries: 3, draws: 200, seed: 1).isNaN)
    }

    @Test func resampledAccuracyMatchesTheBinomialProbability() {
        let space = HypothesisSpace(baseNames: ["a", "b"], noneMass: 0.1)
        // One row favours a by 1 nat, the other favours b by 3: after 2 draws with replacement the
        // truth a wins only when both draws are the first row, probability 1/4.
        let rows = [[0.0, -1.0, -9.0], [-3.0, 0.0, -9.0]]
        let rate = ZooExplain.resampledAccuracy(rows: rows, space: space, truth: "a", queries: 2, draws: 20_000, seed: 7)
        // 4 standard errors of a binomial share at n = 20,000.
        #expect(abs(rate - 0.25) < 4 * (0.25 * 0.75 / 20_000).squareRoot())
        // Seeded: the same call gives the same share.
        #expect(rate == ZooExplain.resampledAccuracy(rows: rows, space: space, truth: "a", queries: 2, draws: 20_000, seed: 7))
    }
}

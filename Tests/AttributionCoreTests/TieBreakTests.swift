import Common
import Foundation
import Testing
@testable import AttributionCore

@Suite struct TieBreakTests {
    let space = HypothesisSpace(baseNames: ["a", "b"], noneMass: 0)

    /// Six prompts with one tensor: every EIG is exactly equal.
    func tiedBank(costs: [Double]? = nil) -> PromptBank {
        PromptBank(space: space, tensors: Array(repeating: DiscreteFixture(probs: [[0.9, 0.1], [0.1, 0.9]]).tensor(samples: 16, seed: 5), count: 6),
                   costs: costs)
    }

    @Test func argmaxKeepsTheLowestRankAmongTiedScoresAndTheBestOutsideTheTolerance() {
        var rng = SeededGenerator(seed: 1)
        let candidates = [10, 11, 12, 13]
        let ranks = Array(repeating: 5, count: 10) + [3, 1, 1, 0]
        // Exact ties only: 12 alone holds the best score, whatever the ranks.
        #expect(SelectionStrategies.argmax(candidates: candidates, scores: [1.0, 0.99, 1.1, 1.0], ranks: ranks, rng: &rng)?.index == 2)
        // Within 10% of 1.1 every candidate but 13 (0.98) ties: rank 1 keeps 11 and 12, a seeded draw picks.
        let picks = Set((0..<40).map { seed -> Int in
            var r = SeededGenerator(seed: UInt64(seed))
            return SelectionStrategies.argmax(candidates: candidates, scores: [1.0, 1.0, 1.1, 0.98], tolerance: 0.1, ranks: ranks, rng: &r)!.index
        })
        #expect(picks == [1, 2])
        // A rank-0 candidate outside the tolerance is not chosen; NaN never is.
        #expect(SelectionStrategies.argmax(candidates: candidates, scores: [.nan, 2, 1, 1.5], tolerance: 0.1, ranks: ranks, rng: &rng)?.index == 1)
    }

    @Test func cheapestRanksAreDenseOverCostThenLength() {
        #expect(TieBreak.cheapestRanks(costs: [2, 1, 1, 1, 2], lengths: [5, 9, 3, 3, 1]) == [3, 1, 0, 0, 2])
        #expect(TieBreak.sharedRanks(count: 4, elsewhere: [2, 0]) == [0, 1, 0, 1])
    }

    @Test func cheapestTieBreakAsksTheCheapestThenShortestOfTiedPrompts() throws {
        let bank = tiedBank(costs: [3, 2, 2, 2, 2, 9])
        let lengths = [1, 40, 12, 12, 30, 1]
        for seed in UInt64(1)...8 {
            var s = Scheduler(modelIDs: [0], bank: bank, strategy: GreedyEIG(), stoppingRule: QueryBudget(budget: 5), allowRepeats: false,
                              tieBreak: .cheapest, promptLengths: lengths, seed: seed)
            var order = [Int]()
            for _ in 0..<4 {
                let a = try #require(s.next().first)
                order.append(a.selection.prompt)
                try s.record(model: 0, prompt: a.selection.prompt, logLikelihoods: [0, 0])
            }
            // Cost 2 first, and among those the two of 12 characters (in a seeded order), then 30, then 40.
            #expect(Set(order.prefix(2)) == [2, 3])
            #expect(Array(order.suffix(2)) == [4, 1])
        }
        // Without the tie-break the first pick varies with the seed.
        let firsts = Set((UInt64(1)...20).map { seed -> Int in
            var s = Scheduler(modelIDs: [0], bank: bank, strategy: GreedyEIG(), stoppingRule: QueryBudget(budget: 5), seed: seed)
            return s.next().first!.selection.prompt
        })
        #expect(firsts.count >= 3)
    }

    @Test func sharedTieBreakAsksWhatAnotherModelWasAsked() throws {
        let bank = tiedBank()
        for seed in UInt64(1)...8 {
            var s = Scheduler(modelIDs: [0, 1, 2], bank: bank, strategy: GreedyEIG(), stoppingRule: QueryBudget(budget: 3),
                              tieBreak: .shared, seed: seed)
            let first = try #require(s.next(maxConcurrent: 1).first)
            // Model 0's prompt is in flight: the next two models are asked the same prompt.
            let rest = s.next(maxConcurrent: 3)
            #expect(rest.count == 2)
            #expect(rest.allSatisfy { $0.selection.prompt == first.selection.prompt })
        }
    }
}

import Common
import Foundation
import Testing
@testable import AttributionCore

@Suite struct SchedulerTests {
    let space = HypothesisSpace(baseNames: ["a", "b", "c"], noneMass: 0.1)

    /// Four prompts; each separates a different pair of hypotheses well.
    func world(seed: UInt64) -> (PromptBank, [DiscreteFixture]) {
        var rng = SeededGenerator(seed: seed)
        let fixtures = (0..<4).map { _ in DiscreteFixture.random(states: space.stateCount, outcomes: 5, rng: &rng) }
        return (PromptBank(space: space, tensors: fixtures.enumerated().map { $1.tensor(samples: 64, seed: UInt64($0)) }), fixtures)
    }

    /// Runs the scheduler against simulated fine-tunes whose true hypotheses are `truth`.
    func run(_ scheduler: inout Scheduler, truth: [Int: Int], fixtures: [DiscreteFixture], seed: UInt64, concurrent: Int = 1) throws -> [[Int]] {
        var oracle = SeededGenerator(seed: seed)
        var rounds = [[Int]]()
        while !scheduler.isFinished {
            let batch = scheduler.next(maxConcurrent: concurrent)
            if batch.isEmpty { break }
            rounds.append(batch.map(\.model))
            for a in batch {
                let o = fixtures[a.selection.prompt].sample(state: truth[a.model]!, rng: &oracle)
                let ll = (0..<space.stateCount).map { log(fixtures[a.selection.prompt].probs[$0][o]) }
                try scheduler.record(model: a.model, prompt: a.selection.prompt, logLikelihoods: ll)
            }
        }
        return rounds
    }

    @Test func attributesEveryModelAndStopsAtThreshold() throws {
        let (bank, fixtures) = world(seed: 1)
        var s = Scheduler(modelIDs: [0, 1, 2], bank: bank, strategy: GreedyEIG(),
                          stoppingRule: AnyOf([PosteriorThreshold(tau: 0.99), QueryBudget(budget: 200)]), seed: 4)
        _ = try run(&s, truth: [0: 0, 1: 2, 2: 3], fixtures: fixtures, seed: 9)
        #expect(s.isFinished)
        for (model, truth) in [(0, 0), (1, 2), (2, 3)] {
            let p = s.progress(of: model)!
            #expect(p.stopReason == .confident(threshold: 0.99))
            #expect(p.posterior.mapHypothesis.hypothesis == truth)
            #expect(p.askedPrompts.count == p.queriesUsed && p.askedEIG.allSatisfy { $0 != nil })
        }
    }

    /// An EIG floor stops a random-selection run exactly where it stops a greedy one: the rule
    /// sees the best EIG over the candidates, not the EIG of the prompt the strategy picked.
    @Test func eigFloorStopsEveryStrategyAlike() throws {
        let (bank, _) = world(seed: 5)
        let best = bank.eig(logWeights: Posterior(space: space).logWeights).max()!
        for strategy in [GreedyEIG(), RandomSelection(), FixedOrderSelection()] as [any SelectionStrategy] {
            var high = Scheduler(modelIDs: [0], bank: bank, strategy: strategy, stoppingRule: EIGFloor(floor: best * 1.01), seed: 1)
            #expect(high.next(maxConcurrent: 1).isEmpty, "\(strategy.name): the floor is above every prompt's EIG")
            #expect(high.progress(of: 0)?.stopReason == .uninformative(floor: best * 1.01))
            var low = Scheduler(modelIDs: [0], bank: bank, strategy: strategy, stoppingRule: EIGFloor(floor: best * 0.99), seed: 1)
            #expect(low.next(maxConcurrent: 1).count == 1, "\(strategy.name): the best prompt is above the floor")
        }
    }

    @Test func globalBudgetIsNeverExceeded() throws {
        let (bank, fixtures) = world(seed: 2)
        var s = Scheduler(modelIDs: [0, 1, 2, 3], bank: bank, strategy: GreedyEIG(),
                          stoppingRule: PosteriorThreshold(tau: 0.999999), globalBudget: 7, seed: 1)
        _ = try run(&s, truth: [0: 0, 1: 1, 2: 2, 3: 3], fixtures: fixtures, seed: 2, concurrent: 3)
        #expect(s.queriesSpent == 7)
        #expect(s.models.contains { $0.stopReason == .globalBudgetSpent })
        #expect(s.next(maxConcurrent: 4).isEmpty)
    }

    @Test func concurrentAssignmentsGoToDistinctModels() {
        let (bank, _) = world(seed: 3)
        var s = Scheduler(modelIDs: [5, 6, 7], bank: bank, strategy: GreedyEIG(), stoppingRule: QueryBudget(budget: 10), seed: 1)
        let batch = s.next(maxConcurrent: 5)
        #expect(batch.count == 3)
        #expect(Set(batch.map(\.model)) == [5, 6, 7])
        #expect(s.next(maxConcurrent: 5).isEmpty)  // all in flight
        #expect(throws: SchedulerError.notInFlight(model: 5, prompt: (batch[0].selection.prompt + 1) % 4)) {
            try s.record(model: 5, prompt: (batch.first { $0.model == 5 }!.selection.prompt + 1) % 4, logLikelihoods: [0, 0, 0, 0])
        }
    }

    @Test func withoutRepeatsEveryPromptIsAskedOnceBeforeAnyTwice() throws {
        let (bank, fixtures) = world(seed: 3)
        for allowRepeats in [false, true] {
            var s = Scheduler(modelIDs: [0], bank: bank, strategy: GreedyEIG(), stoppingRule: QueryBudget(budget: 10),
                              allowRepeats: allowRepeats, seed: 5)
            _ = try run(&s, truth: [0: 1], fixtures: fixtures, seed: 8)
            let asked = s.progress(of: 0)!.askedPrompts
            #expect(asked.count == 10)
            if allowRepeats {
                // Greedy EIG without the rule repeats its favourite prompt (what the rule is for).
                #expect(Set(asked.prefix(4)).count < 4)
            } else {
                #expect(Set(asked.prefix(4)) == Set(0..<4))
                #expect(Set(asked[4..<8]) == Set(0..<4))
            }
        }
    }

    @Test func queriesGoToTheUncertainModel() throws {
        let (bank, fixtures) = world(seed: 4)
        var s = Scheduler(modelIDs: [0, 1], bank: bank, strategy: GreedyEIG(), stoppingRule: QueryBudget(budget: 50), seed: 2)
        // Make model 0 nearly certain by hand: feed it a very strong observation for hypothesis 1.
        let first = s.next(maxConcurrent: 2)
        for a in first {
            try s.record(model: a.model, prompt: a.selection.prompt,
                         logLikelihoods: a.model == 0 ? [-60, 0, -60, -60] : Array(repeating: -1, count: 4))
        }
        var oracle = SeededGenerator(seed: 6)
        let nextPicks = (0..<5).compactMap { _ -> Int? in
            guard let a = s.next().first else { return nil }
            let o = fixtures[a.selection.prompt].sample(state: 2, rng: &oracle)
            try? s.record(model: a.model, prompt: a.selection.prompt,
                          logLikelihoods: (0..<4).map { log(fixtures[a.selection.prompt].probs[$0][o]) })
            return a.model
        }
        #expect(nextPicks.allSatisfy { $0 == 1 })
    }

    @Test func sameSeedSameDecisions() throws {
        let (bank, fixtures) = world(seed: 5)
        func decisions(_ seed: UInt64) throws -> [[Int]] {
            var s = Scheduler(modelIDs: [0, 1, 2], bank: bank, strategy: RandomSelection(),
                              stoppingRule: AnyOf([PosteriorThreshold(tau: 0.95), QueryBudget(budget: 30)]), seed: seed)
            let rounds = try run(&s, truth: [0: 1, 1: 1, 2: 3], fixtures: fixtures, seed: 3, concurrent: 2)
            return rounds + s.models.map(\.askedPrompts)
        }
        #expect(try decisions(8) == decisions(8))
        #expect(try decisions(8) != decisions(9))
    }
}

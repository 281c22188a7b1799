import Common
import Foundation
import Testing
@testable import AttributionCore

@Suite struct PromptQuotaTests {
    @Test func remainingIsTheLoggedMultisetLessWhatWasAsked() {
        let quota = PromptQuota(logged: [0: [2, 0, 2, 1]])
        #expect(quota.remaining(model: 0, asked: []) == [2, 0, 2, 1])
        #expect(quota.remaining(model: 0, asked: [2]) == [0, 2, 1])
        #expect(quota.remaining(model: 0, asked: [2, 2, 1]) == [0])
        #expect(quota.choosable(model: 0, asked: []) == [2, 0, 1])
        #expect(quota.remaining(model: 5, asked: []) == [])
        let ordered = PromptQuota(logged: [0: [2, 0, 2, 1]], inLogOrder: true)
        #expect(ordered.choosable(model: 0, asked: [2]) == [0])
        #expect(ordered.choosable(model: 0, asked: [2, 0, 2, 1]) == [])
    }

    /// Under a quota each model asks only its logged prompts, no more often than logged, in log
    /// order when asked to, and stops with "log exhausted" when they run out.
    @Test func theSchedulerKeepsToTheQuota() throws {
        let space = HypothesisSpace(baseNames: ["a", "b", "c"], noneMass: 0.1)
        var rng = SeededGenerator(seed: 3)
        let fixtures = (0..<4).map { _ in DiscreteFixture.random(states: space.stateCount, outcomes: 5, rng: &rng) }
        let bank = PromptBank(space: space, tensors: fixtures.enumerated().map { $1.tensor(samples: 32, seed: UInt64($0)) })
        let logged = [0: [3, 1, 3], 1: [0, 2], 2: []]
        for (strategy, inLogOrder) in [(GreedyEIG() as any SelectionStrategy, false), (RandomSelection(), false), (FixedOrderSelection(), true)] {
            var s = Scheduler(modelIDs: [0, 1, 2], bank: bank, strategy: strategy,
                              stoppingRule: AnyOf([PosteriorThreshold(tau: 0.9999), QueryBudget(budget: 50)]),
                              allowRepeats: false, quota: PromptQuota(logged: logged, inLogOrder: inLogOrder), seed: 1)
            var oracle = SeededGenerator(seed: 5)
            while !s.isFinished {
                let batch = s.next(maxConcurrent: 2)
                if batch.isEmpty { break }
                for a in batch {
                    let o = fixtures[a.selection.prompt].sample(state: a.model, rng: &oracle)
                    try s.record(model: a.model, prompt: a.selection.prompt,
                                 logLikelihoods: (0..<space.stateCount).map { log(fixtures[a.selection.prompt].probs[$0][o]) })
                }
            }
            for (model, prompts) in logged {
                let p = try #require(s.progress(of: model))
                // Every asked prompt used up one logged record (a multiset inclusion).
                #expect(PromptQuota(logged: logged).remaining(model: model, asked: p.askedPrompts).count == prompts.count - p.askedPrompts.count)
                if inLogOrder { #expect(p.askedPrompts == Array(prompts.prefix(p.askedPrompts.count))) }
                if p.askedPrompts.count == prompts.count { #expect(p.stopReason == .logExhausted) }
            }
            #expect(s.progress(of: 2)?.queriesUsed == 0 && s.progress(of: 2)?.stopReason == .logExhausted)
        }
    }
}

@Suite struct ProbeSelectionTests {
    /// The probes are the prompts of largest prior EIG, asked best first, each once, then none.
    @Test func probesAreTheBestPromptsUnderThePriorEachOnce() {
        let space = HypothesisSpace(baseNames: ["a", "b", "c"], noneMass: 0.1)
        var rng = SeededGenerator(seed: 11)
        let fixtures = (0..<12).map { _ in DiscreteFixture.random(states: space.stateCount, outcomes: 4, rng: &rng) }
        let bank = PromptBank(space: space, tensors: fixtures.enumerated().map { $1.tensor(samples: 32, seed: UInt64($0)) })
        let strategy = ProbeSelection(count: 4)
        let gains = bank.eig(logWeights: space.logPriorStates)
        let expected = Array((0..<12).sorted { gains[$0] > gains[$1] }.prefix(4))
        #expect(strategy.probes(bank) == expected)
        var asked: [Int] = []
        // Whatever the posterior (here a made-up one), the order is the prior's.
        let skewed = space.logPriorStates.enumerated().map { $0.offset == 0 ? $0.element + 3 : $0.element }
        while let s = strategy.select(SelectionContext(logWeights: skewed, candidates: Scheduler.leastAsked(asked, count: 12)),
                                      bank: bank, rng: &rng) {
            asked.append(s.prompt)
            if asked.count > 12 { break }
        }
        #expect(asked == expected)
        #expect(StrategyKind.probes.strategy.name == "probes")
    }
}

import Foundation
import Testing
@testable import AttributionCore

@Suite struct StoppingRuleTests {
    @Test func thresholdStopsAtTau() {
        var r = PosteriorThreshold(tau: 0.95)
        #expect(r.decide(StoppingContext(queriesUsed: 3, maxPosterior: 0.949)) == nil)
        #expect(r.decide(StoppingContext(queriesUsed: 3, maxPosterior: 0.95)) == .confident(threshold: 0.95))
    }

    @Test func budgetStopsWhenSpent() {
        var r = QueryBudget(budget: 2)
        #expect(r.decide(StoppingContext(queriesUsed: 1, maxPosterior: 0.1)) == nil)
        #expect(r.decide(StoppingContext(queriesUsed: 2, maxPosterior: 0.1)) == .budgetSpent(budget: 2))
    }

    @Test func eigFloorCountsConsecutiveLowDecisionsAndResets() {
        var r = EIGFloor(floor: 0.01, patience: 2)
        #expect(r.decide(StoppingContext(queriesUsed: 0, maxPosterior: 0.5, bestEIG: 0.001)) == nil)
        #expect(r.decide(StoppingContext(queriesUsed: 1, maxPosterior: 0.5, bestEIG: 0.5)) == nil)  // streak broken
        #expect(r.decide(StoppingContext(queriesUsed: 2, maxPosterior: 0.5, bestEIG: 0.001)) == nil)
        #expect(r.decide(StoppingContext(queriesUsed: 3, maxPosterior: 0.5, bestEIG: 0.001)) == .uninformative(floor: 0.01))
        r.reset()
        #expect(r.decide(StoppingContext(queriesUsed: 0, maxPosterior: 0.5, bestEIG: 0.001)) == nil)
        #expect(r.decide(StoppingContext(queriesUsed: 0, maxPosterior: 0.5, bestEIG: nil)) == nil)
    }

    @Test func eigFloorWaitsForTheMinimumQueries() {
        var r = EIGFloor(floor: 0.01, patience: 2, minimumQueries: 3)
        #expect(r.decide(StoppingContext(queriesUsed: 0, maxPosterior: 0.5, bestEIG: 0.001)) == nil)
        #expect(r.decide(StoppingContext(queriesUsed: 1, maxPosterior: 0.5, bestEIG: 0.001)) == nil)
        #expect(r.decide(StoppingContext(queriesUsed: 2, maxPosterior: 0.5, bestEIG: 0.001)) == nil)
        #expect(r.decide(StoppingContext(queriesUsed: 3, maxPosterior: 0.5, bestEIG: 0.001)) == .uninformative(floor: 0.01))
        var high = EIGFloor(floor: 0.01, patience: 2, minimumQueries: 3)
        #expect(high.decide(StoppingContext(queriesUsed: 3, maxPosterior: 0.5, bestEIG: 0.001)) == nil)  // patience first
    }

    @Test func combinationReportsFirstReasonAndKeepsStateOfAll() {
        var r = AnyOf([PosteriorThreshold(tau: 0.9), QueryBudget(budget: 5), EIGFloor(floor: 0.1, patience: 2)])
        #expect(r.decide(StoppingContext(queriesUsed: 1, maxPosterior: 0.5, bestEIG: 0.01)) == nil)
        // The threshold fires; the EIG floor also reaches its patience in the same decision.
        #expect(r.decide(StoppingContext(queriesUsed: 2, maxPosterior: 0.95, bestEIG: 0.01)) == .confident(threshold: 0.9))
        #expect(r.decide(StoppingContext(queriesUsed: 2, maxPosterior: 0.5, bestEIG: 0.01)) == .uninformative(floor: 0.1))
        r.reset()
        #expect(r.decide(StoppingContext(queriesUsed: 5, maxPosterior: 0.5, bestEIG: 0.01)) == .budgetSpent(budget: 5))
    }

    /// Reports and cells write a stop reason as its description; it reads back to the same value.
    @Test func everyStopReasonReadsBackFromItsDescription() throws {
        let reasons: [StopReason] = [.confident(threshold: 0.95), .confident(threshold: 1), .budgetSpent(budget: 30),
                                     .uninformative(floor: 0.05), .globalBudgetSpent, .noCandidates, .logExhausted]
        for r in reasons {
            #expect(StopReason(description: r.description) == r)
            let data = try JSONEncoder().encode([r])
            #expect(try JSONDecoder().decode([StopReason].self, from: data) == [r])
        }
        #expect(StopReason(description: "running") == nil && StopReason(description: "budget of 2.5 queries spent") == nil)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([StopReason].self, from: Data(#"["tired"]"#.utf8)) }
        #expect(StopReason.confident(threshold: 0.9).isConfident && !StopReason.logExhausted.isConfident)
    }
}

import Foundation
import Testing
@testable import Simulation

@Suite struct AccuracyCeilingTests {
    /// a*(x) inverts d(a‖1−a): d(0.9‖0.1) = 0.8 ln 9 gives back 0.9; 0 gives 0.5.
    @Test func reachableAccuracyInvertsTheBinaryDivergence() {
        #expect(abs(ZooFigures.accuracyReachable(divergence: 0.8 * log(9.0)) - 0.9) < 1e-9)
        #expect(abs(ZooFigures.accuracyReachable(divergence: 0.5 * log(3.0)) - 0.75) < 1e-9)
        #expect(ZooFigures.accuracyReachable(divergence: 0) == 0.5)
        #expect(ZooFigures.accuracyReachable(divergence: .infinity) == 1)
        for x in [0.01, 0.3, 1.7, 9.0] {
            let a = ZooFigures.accuracyReachable(divergence: x)
            #expect(abs(ZooFigures.binaryDivergence(a, 1 - a) - x) < 1e-8)
        }
    }

    static func row(_ id: Int, _ divergences: [Double]) -> ZooFigures.FloorRow {
        ZooFigures.FloorRow(id: id, name: "ft\(id)", trueBase: divergences.isEmpty ? nil : "b", bounds: divergences.map {
            ZooFigures.PairBound(competitor: "c", variant: "base", maxDivergence: $0, meanDivergence: $0 / 2, bestPrompt: 0,
                                 queriesAt90: ZooFigures.queriesNeeded(accuracy: 0.9, divergence: $0),
                                 queriesAt75: ZooFigures.queriesNeeded(accuracy: 0.75, divergence: $0))
        })
    }

    /// The dynamic programme finds the best split: it equals brute force over every split of
    /// the budget between three bounded fine-tunes; the unbounded one counts as right for free;
    /// the smallest divergence of a fine-tune's worlds binds.
    @Test func ceilingMatchesBruteForce() {
        let table = ZooFigures.FloorTable(prompts: 1, samplesPerPrompt: 1, rows: [
            Self.row(0, [0.4, 0.05]), Self.row(1, []), Self.row(2, [0.3]), Self.row(3, [1.2, 0.9]),
        ])
        let d = [0.05, 0.3, 0.9]
        func a(_ x: Double) -> Double { ZooFigures.accuracyReachable(divergence: x) }
        var previous = 0.0
        for budget in 0...12 {
            var best = 0.0
            for n0 in 0...budget { for n2 in 0...(budget - n0) {
                let n3 = budget - n0 - n2
                best = max(best, a(Double(n0) * d[0]) + a(Double(n2) * d[1]) + a(Double(n3) * d[2]))
            } }
            let ceiling = table.accuracyCeiling(totalQueries: budget)
            #expect(abs(ceiling.expectedCorrect - (best + 1)) < 1e-9)
            #expect(ceiling.queries.reduce(0, +) == budget && ceiling.queries[1] == 0 && ceiling.accuracy[1] == 1)
            #expect(ceiling.expectedCorrect >= previous - 1e-12)
            previous = ceiling.expectedCorrect
        }
        #expect(table.accuracyCeiling(totalQueries: 0).expectedCorrect == 2.5)
        let lines = table.ceilingMarkdown(budgets: [4, 8])
        #expect(lines.count == 6 && lines[4].hasPrefix("| 4 |") && lines[4].contains("0: "))
    }
}

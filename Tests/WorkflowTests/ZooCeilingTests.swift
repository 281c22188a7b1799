import Common
@testable import Diagnostics
@testable import Experiments
import Foundation
import Testing
@testable import Simulation
@testable import Workflow

/// The pure parts of `attrib zoo ceiling`: the best split of a budget, the floor's prompts and the report.
@Suite struct ZooCeilingTests {
    /// Every assignment of one count per fine-tune, by brute force.
    func bruteForce(_ curves: [[Double]], counts: [Int], budget: Int) -> Double {
        var best = -Double.infinity
        func go(_ k: Int, _ spent: Int, _ value: Double) {
            if k == curves.count { best = max(best, value); return }
            for (i, n) in counts.enumerated() where spent + n <= budget { go(k + 1, spent + n, value + curves[k][i]) }
        }
        go(0, 0, 0)
        return best == -.infinity ? .nan : best
    }

    @Test func bestSplitIsTheBruteForceOptimum() {
        var rng = SeededGenerator(seed: 7)
        let counts = [1, 2, 5, 10]
        for trial in 0..<40 {
            let curves = (0..<4).map { _ in
                // Rising win rates in [0, 1].
                var c = counts.map { _ in Double(rng.next() % 1000) / 1000 }
                c.sort()
                return c
            }
            let budget = 4 + trial % 30
            #expect(abs(ZooCeiling.bestSplit(curves, counts: counts, budget: budget) - bruteForce(curves, counts: counts, budget: budget)) < 1e-12)
        }
        #expect(ZooCeiling.bestSplit([[0.5], [0.5]], counts: [3], budget: 5).isNaN)
    }

    @Test func theFloorsBestPromptsAreThoseOfItsFineTunedWorlds() throws {
        func bound(_ competitor: String, _ variant: String, _ prompt: Int) -> ZooFigures.PairBound {
            ZooFigures.PairBound(competitor: competitor, variant: variant, maxDivergence: 1, meanDivergence: 0.5, bestPrompt: prompt,
                                 queriesAt90: 2, queriesAt75: 1)
        }
        let table = ZooFigures.FloorTable(prompts: 64, samplesPerPrompt: 4, rows: [
            ZooFigures.FloorRow(id: 0, name: "a", trueBase: "x", bounds: [bound("y", "base", 3), bound("y", "fine-tuned", 7), bound("z", "fine-tuned", 7), bound("w", "fine-tuned", 2)]),
            ZooFigures.FloorRow(id: 1, name: "b", trueBase: "y", bounds: [bound("x", "base", 5)]),
            ZooFigures.FloorRow(id: 2, name: "c", trueBase: nil, bounds: []),
        ])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attrib-floor-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        struct Report: Encodable { var floor: ZooFigures.FloorTable }
        try JSONEncoder().encode(Report(floor: table)).write(to: url)
        #expect(try ZooCeiling.floorBestPrompts(path: url.path, poolSize: 64, fineTunes: 3) == [0: [7, 2]])
        #expect(throws: AttribError.self) { try ZooCeiling.floorBestPrompts(path: url.path + ".missing", poolSize: 64, fineTunes: 3) }
        // A floor of another pool or zoo is refused, naming the field.
        func field(_ poolSize: Int, _ fineTunes: Int) -> String? {
            do { _ = try ZooCeiling.floorBestPrompts(path: url.path, poolSize: poolSize, fineTunes: fineTunes); return nil } catch {
                guard case AttribError.invalid(_, let f, _) = error else { return "?" }
                return f
            }
        }
        #expect(field(32, 3) == "floor.prompts")
        #expect(field(64, 2) == "floor.rows.2.id")
        var outOfPool = table
        outOfPool.rows[0].bounds[1].bestPrompt = 64
        try JSONEncoder().encode(Report(floor: outOfPool)).write(to: url)
        #expect(field(64, 3) == "floor.rows.0.bounds.1.bestPrompt")
    }

    @Test func theReportSumsTheRatesAndCountsNoneAsRight() {
        let rows = [
            ZooCeiling.Row(id: 0, name: "ft0", base: "a", domain: "d", strength: 0.3, prompts: nil, rates: ["pristine": [0.5, 0.25], "oracle": [0.75, 1]]),
            ZooCeiling.Row(id: 2, name: "ft2", base: "b", domain: "e", strength: 0.1, prompts: nil, rates: ["pristine": [1, 1], "oracle": [1, 1]]),
        ]
        let result = ZooCeiling.Result(zoo: "z", total: 3, poolSize: 64, answersPerPrompt: 4, counts: [5, 30], models: [.pristine, .oracle], rows: rows,
                                       budget: 35, bestSplit: ["pristine": 2.5, "oracle": 3],
                                       ceiling: OracleCeiling(zoo: "z", total: 3, counts: [5, 30], expected_right: ["pristine": [2.5, 2.25], "oracle": [2.75, 3]]),
                                       bestPrompts: false)
        let md = result.markdown(command: "attrib zoo ceiling --zoo z")
        #expect(md.contains("| id | fine-tune | true base | domain | strength | pristine @5 | oracle @5 | pristine @30 | oracle @30 |"))
        #expect(md.contains("| 0 | ft0 | a | d | 0.3 | 0.50 | 0.75 | 0.25 | 1.00 |"))
        #expect(md.contains("| | sum over 2 (expected right) | | | | 1.50 | 1.75 | 1.25 | 2.00 |"))
        #expect(md.contains("| 30 | 2.25 | 3.00 |"))
        #expect(md.contains("| oracle | 3.00 |"))
        #expect(md.contains("The 1 fine-tune whose answer is `None` is left out above."))
        #expect(result.ceiling.oracle(atBudget: 40).map { $0 == (30, 3) } == true)
        // Only random prompts, the oracle model and every default count make the ceiling file.
        #expect(!result.makesTheCeilingFile)
        var full = result
        full.counts = ZooCeiling.defaultCounts
        #expect(full.makesTheCeilingFile)
        // Another pool's ceiling is named in the report and never replaces the zoo's ceiling file.
        var otherPool = full
        otherPool.pool = "pool-mixed-1024-abc.jsonl"
        #expect(!otherPool.makesTheCeilingFile)
        var named = result
        named.pool = otherPool.pool
        #expect(named.markdown(command: "c").contains("4 answers per prompt of the 64-prompt pool `pool-mixed-1024-abc.jsonl`"))
        #expect(!result.markdown(command: "c").contains("`pool-"))
        full.bestPrompts = true
        #expect(!full.makesTheCeilingFile)
        full.bestPrompts = false
        full.models = [.pristine]
        #expect(!full.makesTheCeilingFile)
        // Counts without 5, 10, 30 or 100 are all shown.
        var odd = result
        odd.counts = [2, 7]
        #expect(odd.shownCounts == [2, 7])
    }

    @Test func expectedRightIsNoneCountedRightPlusTheSummedRates() {
        let curves = [[0.5, 0.25], [0.125, 1]]
        #expect(ZooCeiling.expectedRight(curves, unlisted: 2, counts: 2) == [2.625, 3.25])
        #expect(ZooCeiling.expectedRight([[1 / 3.0]], unlisted: 0, counts: 1) == [0.333])
    }
}

import AttributionCore
import Foundation
import Testing
@testable import Workflow

@Suite(.serialized) struct ExperimentTests {
    static func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("attrib-experiment-\(UUID().uuidString)-\(name)")
    }

    static func write(_ json: String, _ name: String) throws -> String {
        let url = temporary(name)
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func specErrorsNameTheField() throws {
        let zoo = "Experiments/zoos/round1-like.json"
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        FileManager.default.changeCurrentDirectoryPath(root.path)
        let cases: [(String, String)] = [
            ("{\"name\": \"x\", \"zoo\": \"\(zoo)\", \"strategies\": [\"greedy\"], \"thresholds\": [0.9], \"budgets\": [5], \"seeds\": [1]}", "strategies[0]"),
            ("{\"name\": \"x\", \"zoo\": \"\(zoo)\", \"strategies\": [\"eig\"], \"thresholds\": [1.5], \"budgets\": [5], \"seeds\": [1]}", "thresholds"),
            ("{\"name\": \"x\", \"zoo\": \"\(zoo)\", \"strategies\": [\"eig\"], \"thresholds\": [0.9], \"seeds\": [1]}", "budgets"),
            ("{\"name\": \"x\", \"zoo\": \"nowhere.json\", \"strategies\": [\"eig\"], \"thresholds\": [0.9], \"budgets\": [5], \"seeds\": [1]}", "zoo"),
            ("{\"name\": \"a/b\", \"zoo\": \"\(zoo)\", \"strategies\": [\"eig\"], \"thresholds\": [0.9], \"budgets\": [5], \"seeds\": [1]}", "name"),
            ("{\"name\": \"x\", \"zoo\": \"\(zoo)\", \"strategies\": [\"eig\"], \"thresholds\": [0.9], \"budgets\": [5], \"seeds\": [1, 1]}", "seeds"),
            ("{\"name\": \"x\", \"zoo\": \"\(zoo)\", \"strategies\": [\"eig\"], \"thresholds\": [0.9], \"budgets\": [5], \"seeds\": [1], \"settings\": {\"samples\": 0}}", "settings.samples"),
        ]
        for (json, field) in cases {
            let path = try Self.write(json, "spec.json")
            #expect {
                try ExperimentSpec.load(path: path)
            } throws: { error in
                guard case WorkflowError.invalid(let file, let f, _) = error else { return false }
                return file == path && f == field
            }
        }
    }

    @Test func cellsAndShardsPartitionTheGrid() throws {
        let spec = ExperimentSpec(name: "g", zoo: "z", strategies: [.eig, .random], thresholds: [0.8, 0.95], budgets: [5, 30],
                                  seeds: [1, 2, 3], settings: .init(samples: 4, eig_floor: 0))
        #expect(spec.cells.count == 24 && Set(spec.cells).count == 24)
        let shards = (1...5).map { spec.shard($0, of: 5) }
        #expect(shards.flatMap { $0 }.count == 24)
        #expect(Set(shards.flatMap { $0 }) == Set(spec.cells))
        #expect(spec.shard(2, of: 5) == spec.shard(2, of: 5))
        let s = spec.settings(of: spec.cells[5])
        #expect(s.samples == 4 && s.eigFloor == nil && s.threshold == spec.cells[5].threshold && s.budgetPerModel == spec.cells[5].budget)
    }

    @Test func theIntervalIsStudentsT() {
        // Values 1, 2, 3: mean 2, s = 1, t(0.975, 2) = 4.303: half-width 4.303 / sqrt(3).
        #expect(abs(ExperimentReport.halfWidth95([1, 2, 3]) - 4.303 / 3.0.squareRoot()) < 1e-12)
        #expect(ExperimentReport.halfWidth95([7]) == 0)
    }
}

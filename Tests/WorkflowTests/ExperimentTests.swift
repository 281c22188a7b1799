import AttributionCore
import Common
import Corpora
import Simulation
import Engine
@testable import Calibration
@testable import Experiments
import Pools
import Foundation
import LanguageModels
import Oracles
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
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let zoo = root.appendingPathComponent("Experiments/zoos/round1-like.json").path
        let cases: [(String, String)] = [
            ("{\"name\": \"x\", \"zoo\": \"\(zoo)\", \"strategies\": [\"greedy\"], \"thresholds\": [0.9], \"budgets\": [5], \"seeds\": [1]}", "strategies.0"),
            ("{\"name\": \"x\", \"zoo\": \"\(zoo)\", \"strategies\": [\"eig\"], \"thresholds\": [1.5], \"budgets\": [5], \"seeds\": [1]}", "thresholds"),
            ("{\"name\": \"x\", \"zoo\": \"\(zoo)\", \"strategies\": [\"eig\"], \"thresholds\": [0.9], \"seeds\": [1]}", "budgets"),
            ("{\"name\": \"x\", \"zoo\": \"nowhere.json\", \"strategies\": [\"eig\"], \"thresholds\": [0.9], \"budgets\": [5], \"seeds\": [1]}", "zoo"),
            ("{\"name\": \"a/b\", \"zoo\": \"\(zoo)\", \"strategies\": [\"eig\"], \"thresholds\": [0.9], \"budgets\": [5], \"seeds\": [1]}", "name"),
            ("{\"name\": \"x\", \"zoo\": \"\(zoo)\", \"strategies\": [\"eig\"], \"thresholds\": [0.9], \"budgets\": [5], \"seeds\": [1, 1]}", "seeds"),
            ("{\"name\": \"x\", \"zoo\": \"\(zoo)\", \"strategies\": [\"eig\"], \"thresholds\": [0.9], \"budgets\": [5], \"seeds\": [1], \"global_budgets\": [0]}", "global_budgets"),
            ("{\"name\": \"x\", \"zoo\": \"\(zoo)\", \"strategies\": [\"eig\"], \"thresholds\": [0.9], \"budgets\": [5], \"seeds\": [1], \"settings\": {\"samples\": 0}}", "settings.samples"),
            ("{\"name\": \"x\", \"zoo\": \"\(zoo)\", \"strategies\": [\"eig\"], \"thresholds\": [0.9], \"budgets\": [5], \"seeds\": [1], \"settings\": {\"samplez\": 4}}", "settings.samplez"),
            ("{\"name\": \"x\", \"zoo\": \"\(zoo)\", \"strategies\": [\"eig\"], \"thresholds\": [0.9], \"budgets\": [5], \"seeds\": [1], \"settings\": {\"tie_break\": \"first\"}}", "settings.tie_break"),
            ("{\"name\": \"x\", \"zoo\": \"\(zoo)\", \"strategies\": [\"eig\"], \"thresholds\": [0.9], \"budgets\": [5], \"seeds\": [1], \"settings\": {\"tie_tolerance\": 1.5}}", "settings.tie_tolerance"),
            ("{\"name\": \"x\", \"zoo\": \"\(zoo)\", \"strategies\": [\"eig\"], \"thresholds\": [0.9], \"budgets\": [5], \"seeds\": [1], \"variants\": [{\"name\": \"t\", \"settings\": {\"tie_tolerance\": -1}}]}", "variants.0.settings.tie_tolerance"),
            ("{\"name\": \"x\", \"zoo\": \"\(zoo)\", \"strategies\": [\"eig\"], \"thresholds\": [0.9], \"budgets\": [5], \"seeds\": [1], \"variants\": [{\"name\": \"t\", \"settings\": {\"calibration_answers\": 0}}]}", "variants.0.settings.calibration_answers"),
            ("{\"name\": \"x\", \"zoo\": \"\(zoo)\", \"strategies\": [\"eig\"], \"thresholds\": [0.9], \"budgets\": [5], \"seeds\": [1], \"settings\": {\"calibration_answers\": \"always\"}}", "settings.calibration_answers"),
            ("{\"name\": \"x\", \"zoo\": \"\(zoo)\", \"strategies\": [\"eig\"], \"thresholds\": [0.9], \"budgets\": [5], \"seeds\": [1], \"settings\": {\"calibration_answers\": true}}", "settings.calibration_answers"),
        ]
        for (json, field) in cases {
            let path = try ExperimentTests.write(json, "spec.json")
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect {
                try ExperimentSpec.load(path: path)
            } throws: { error in
                guard case AttribError.invalid(let file, let f, _) = error else { return false }
                return file == path && f == field
            }
        }
    }

    @Test func cellsAndShardsPartitionTheGrid() throws {
        let spec = ExperimentSpec(name: "g", zoo: "z", strategies: [.eig, .random], thresholds: [0.8, 0.95], budgets: [5, 30],
                                  seeds: [1, 2, 3], settings: .init(["samples": .integer(4), "eig_floor": .integer(0)]))
        #expect(spec.cells.count == 24 && Set(spec.cells).count == 24)
        let shards = (1...5).map { spec.shard($0, of: 5) }
        #expect(shards.flatMap { $0 }.count == 24)
        #expect(Set(shards.flatMap { $0 }) == Set(spec.cells))
        #expect(spec.shard(2, of: 5) == spec.shard(2, of: 5))
        var decoded = spec
        decoded.decodings = [.zoo, .greedy]
        #expect(decoded.cells.count == 48 && decoded.cells[0].id == "eig-t0.8-b5-s1" && decoded.cells[24].id == "eig-t0.8-b5-s1-greedy")
        var global = spec
        global.global_budgets = [40, 80]
        #expect(global.cells.count == 48 && global.cells[1].id == "eig-t0.8-b5-s2-g40" && global.cells[3].globalBudget == 80)
        #expect(global.settings(of: global.cells[3]).stopping.globalBudget == 80)
        let mlmac = DecodingSettings()
        #expect(ExperimentSpec.Decoding.greedy.applied(to: mlmac).topK == 1)
        #expect(ExperimentSpec.Decoding.temperature1.applied(to: mlmac).temperature == 1)
        #expect(ExperimentSpec.Decoding.zoo.applied(to: mlmac) == mlmac)
        let s = spec.settings(of: spec.cells[5])
        #expect(s.observation.samples == 4 && s.stopping.eigFloor == nil && s.stopping.threshold == spec.cells[5].threshold && s.stopping.budgetPerModel == spec.cells[5].budget)
    }

    /// A replay grid on a tiny zoo: one simulator log per seed, each cell replays it; with a
    /// budget above the logged queries and a threshold never reached, every model uses its
    /// whole log, and the log-order cell agrees with `attrib replay` over the same log.
    @Test func aReplayGridReplaysOneLogPerSeed() async throws {
        let directory = Self.temporary("tiny-replay")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let zoo = directory.appendingPathComponent("tiny-zoo.json")
        try Self.tinyZoo.write(to: zoo, atomically: true, encoding: .utf8)
        var spec = ExperimentSpec(name: "tiny-replay", zoo: zoo.path, strategies: [.eig, .fixed], thresholds: [1], budgets: [10], seeds: [1, 2],
                                  settings: .init(["samples": .integer(2), "eig_floor": .integer(0), "pool_size": .integer(8)]))
        spec.replay = .init(queries: 4)
        let out = directory.appendingPathComponent("results"), work = directory.appendingPathComponent("work")
        var experiment = Experiment(spec: spec, out: out, work: work)
        experiment.calibrationText = nil
        try await experiment.run()
        let report = try ExperimentReport.load(spec: spec, directory: out)
        #expect(report.cells.count == 4)
        #expect(report.cells.allSatisfy { $0.rows.count == 2 && $0.rows.allSatisfy { $0.queries == 4 && $0.stopReason == .logExhausted } })
        let logFile = work.appendingPathComponent("replay-logs/q4-s2/log.jsonl").path
        let log = try QueryLog.load(path: logFile)
        #expect(log.records.count == 8)
        let world = try SimulatedWorld.build(zooSpec: zoo, workDirectory: work, observation: spec.settings(of: spec.cells[0]).observation,
                                             corpora: CorpusCache(), log: { _ in })
        let fixed = try #require(report.cells.first { $0.cell.strategy == .fixed && $0.cell.seed == 2 })
        let direct = Replay(log: log, models: world.models, settings: spec.settings(of: fixed.cell), calibration: .fixed,
                            storePath: work.appendingPathComponent("store.sqlite").path, order: .log, answerKey: nil)
        let (outcome, _) = try await direct.execute()
        #expect(outcome.per_model.map(\.attribution) == fixed.rows.map(\.attribution))
        #expect(outcome.per_model.map(\.confidence) == fixed.rows.map(\.confidence))
        var bad = spec
        bad.decodings = [.greedy]
        #expect(throws: AttribError.self) { try bad.validate(file: "spec.json") }
    }

    static let tinyZoo = """
        {"name": "tiny", "seed": 5, "decoding": {"temperature": 3.0, "maxTotalTokens": 12, "minNewTokens": 1},
         "bases": [{"name": "fa", "corpus": "fortunes", "order": 2, "tokenizer": "byte", "trainBytes": 30000},
                   {"name": "ja", "corpus": "jargon", "order": 2, "tokenizer": "byte", "trainBytes": 30000}],
         "references": [],
         "fineTunes": [{"name": "ft-fa", "base": "fa", "domain": "bible-kjv", "strength": 0.2},
                       {"name": "ft-ja", "base": "ja", "domain": "bible-kjv", "strength": 0.2}]}
        """

    @Test func theIntervalIsStudentsT() {
        // Values 1, 2, 3: mean 2, s = 1, t(0.975, 2) = 4.303: half-width 4.303 / sqrt(3).
        #expect(abs(ExperimentReport.halfWidth95([1, 2, 3]) - 4.303 / 3.0.squareRoot()) < 1e-12)
        #expect(ExperimentReport.halfWidth95([7]) == 0)
    }

    /// A two-cell experiment on a tiny zoo: every cell written, the tables made from them; a
    /// rerun redoes only the cell whose file is missing, and gets the same rows.
    @Test func anExperimentRunsItsCellsAndResumesWithoutRedoingFinishedOnes() async throws {
        let directory = Self.temporary("tiny")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let zoo = directory.appendingPathComponent("tiny-zoo.json")
        try Self.tinyZoo.write(to: zoo, atomically: true, encoding: .utf8)
        let spec = ExperimentSpec(name: "tiny", zoo: zoo.path, strategies: [.eig, .random], thresholds: [0.9], budgets: [3], seeds: [1],
                                  settings: .init(["samples": .integer(2), "eig_floor": .integer(0), "pool_size": .integer(8)]))
        let out = directory.appendingPathComponent("results")
        var experiment = Experiment(spec: spec, out: out, work: directory.appendingPathComponent("work"))
        experiment.calibrationText = nil
        let progress = Locked<[Int]>([])
        try await experiment.run(progress: { done, _ in progress.withLock { $0.append(done) } })
        #expect(progress.value == [0, 1, 2])
        let first = try ExperimentReport.load(spec: spec, directory: out)
        #expect(first.cells.count == 2 && first.cells.allSatisfy { $0.rows.count == 2 && $0.rows.allSatisfy { $0.queries <= 3 } })
        #expect(first.csv.split(separator: "\n").count == 1 + 4)
        let timing = try JSONDecoder().decode(Experiment.Timing.self, from: Data(contentsOf: out.appendingPathComponent("timing.json")))
        #expect(timing.cells == 2 && timing.preparationSeconds >= 0 && timing.cellSeconds >= 0)

        let kept = experiment.file(of: spec.cells[0]), redone = experiment.file(of: spec.cells[1])
        let keptData = try Data(contentsOf: kept)
        let redoneRows = first.cells.first { $0.cell == spec.cells[1] }!.rows.map(\.attribution)
        try FileManager.default.removeItem(at: redone)
        progress.withLock { $0 = [] }
        try await experiment.run(progress: { done, _ in progress.withLock { $0.append(done) } })
        #expect(progress.value == [1, 2])   // one cell was already done
        #expect(try JSONDecoder().decode(Experiment.Timing.self, from: Data(contentsOf: out.appendingPathComponent("timing.json"))).cells == 1)
        #expect(try Data(contentsOf: kept) == keptData)
        let again = try ExperimentReport.load(spec: spec, directory: out)
        #expect(again.cells.first { $0.cell == spec.cells[1] }!.rows.map(\.attribution) == redoneRows)
        let markdown = again.markdown(leaderboard: nil)
        #expect(markdown.contains("| 1 | ") && markdown.contains("| 2 | "))
    }
}

extension ExperimentTests {
    /// Matched accuracy from hand-made cells: per seed, random's best and the fewest queries reaching it.
    @Test func matchedAccuracyTakesRandomsBestAndTheFewestQueriesToIt() throws {
        func cell(_ s: StrategyKind, _ t: Double, _ seed: UInt64, correct: Int, queries: Int) -> Experiment.CellResult {
            let rows = (0..<4).map { k in
                Experiment.CellResult.Row(model: k, truth: "a", attribution: k < correct ? "a" : "b", correct: k < correct,
                                          queries: queries / 4 + (k < queries % 4 ? 1 : 0), confidence: 0.5,
                                          stopReason: k == 0 || k == 3 ? .confident(threshold: t) : .budgetSpent(budget: 5),
                                          truthTrajectory: [])
            }
            return Experiment.CellResult(cell: .init(strategy: s, threshold: t, budget: 5, seed: seed), settings: EngineSettings(),
                                         commit: nil, fanoQueriesPerModel: 1, seconds: 0, rows: rows)
        }
        let spec = ExperimentSpec(name: "m", zoo: "z", strategies: [.eig, .random], thresholds: [0.8, 0.95], budgets: [5], seeds: [1, 2])
        let report = ExperimentReport(spec: spec, cells: [
            cell(.random, 0.8, 1, correct: 2, queries: 10), cell(.random, 0.95, 1, correct: 3, queries: 20),
            cell(.eig, 0.8, 1, correct: 3, queries: 12), cell(.eig, 0.95, 1, correct: 3, queries: 15),
            cell(.random, 0.8, 2, correct: 4, queries: 9), cell(.random, 0.95, 2, correct: 4, queries: 11),
            cell(.eig, 0.8, 2, correct: 3, queries: 5), cell(.eig, 0.95, 2, correct: 3, queries: 8),
        ])
        let rows = report.matchedAccuracy(strategy: .eig)
        #expect(rows.map(\.target) == [3, 4])
        #expect(rows.map(\.baselineQueries) == [20, 9])
        #expect(rows.map(\.strategyQueries) == [12, nil])
        #expect(report.markdown(leaderboard: nil).contains("Mean ratio 0.60 over the 1 of 2 seeds"))
        // The oracle ceiling at the largest measured count not above the budget (5 of 1, 4, 10: 4).
        let ceiling = OracleCeiling(zoo: "z", total: 4, counts: [1, 4, 10], expected_right: ["oracle": [2, 2.5, 3.25], "pristine": [1, 1, 1]])
        #expect(ceiling.oracle(atBudget: 5)! == (4, 2.5))
        #expect(ceiling.oracle(atBudget: 10)! == (10, 3.25))
        #expect(ceiling.oracle(atBudget: 0) == nil)
        // Every configuration has budget 5: each of the 4 ranked lines ends with the ceiling at 4 answers.
        let lines = report.markdown(leaderboard: nil, ceiling: ceiling).split(separator: "\n")
        #expect(lines.filter { $0.hasSuffix("| 2.50 (4) |") }.count == 4)
        #expect(lines.contains { $0.hasSuffix("| Fano floor per model | threshold stops right | oracle ceiling |") })
        // Models 0 and 3 stop at the threshold: random at 0.8 has 2 then 4 right, so 3 of its 4 stops are right.
        let random = try #require(report.lines.first { $0.configuration.strategy == "random" && $0.configuration.threshold == 0.8 })
        #expect(random.thresholdStops == 4 && random.thresholdStopsRight == 3)
        #expect(lines.contains { $0.hasPrefix("| \(report.lines.firstIndex { $0.configuration == random.configuration }! + 1) | random | 0.8 |") && $0.contains("| 3 of 4 |") })
        #expect(!report.markdown(leaderboard: nil).contains("oracle ceiling"))
    }

    @Test func theCeilingFileOfASpecsZooIsFoundByTheZoosName() throws {
        let results = ExperimentTests.temporary("results")
        try FileManager.default.createDirectory(at: results.appendingPathComponent("floor"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: results) }
        let json = #"{"zoo": "tiny", "total": 3, "counts": [5], "expected_right": {"oracle": [2.5]}}"#
        try json.write(to: results.appendingPathComponent("floor/tiny-ceiling.json"), atomically: true, encoding: .utf8)
        #expect(OracleCeiling.load(forZoo: "Experiments/zoos/tiny.json", results: results)?.oracle(atBudget: 30).map { $0 == (5, 2.5) } == true)
        #expect(OracleCeiling.load(forZoo: "Experiments/zoos/other.json", results: results) == nil)
    }
}

@Suite struct EngineSettingsCodingTests {
    @Test func settingsRoundTripAndAMissingKeyTakesTheDefault() throws {
        var s = EngineSettings()
        s.observation.samples = 7; s.observation.latentGrid = [0.3]; s.observation.eps = 0.2; s.observation.contextualDrift = false; s.observation.driftOrder = 3; s.observation.domainDrift = true
        s.observation.answerDrift = true; s.observation.segmentationBeam = 2; s.observation.tensorSegmentationBeam = 1; s.observation.beta = 0.7; s.observation.answerCap = 4
        s.calibration.hypothesisOffsets = true; s.observation.answerOffsets = [0.1, -0.1]; s.calibration.calibrationAnswers = .answers(30)
        s.observation.noneMass = 0.2; s.stopping.threshold = 0.9; s.stopping.budgetPerModel = 12; s.stopping.eigFloor = 0.2; s.stopping.eigFloorAfter = 3; s.scheduling.repeatPrompts = true
        s.stopping.globalBudget = 99; s.scheduling.strategy = .random; s.scheduling.tieBreak = .shared; s.scheduling.tieTolerance = 0.05; s.seed = 9; s.threads = 1; s.scheduling.concurrency = 2
        s.scheduling.screenTo = 64
        let data = try attribJSONEncoder().encode(s)
        #expect(try attribJSONDecoder().decode(EngineSettings.self, from: data) == s)
        // Every stored setting is written (a new one missing from the reader would fail the round trip above).
        let keys = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]).keys
        #expect(keys.count == EngineSettings.keys.count)
        // A file written before a setting existed: the setting takes its default; an absent optional is nil.
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["tieBreak", "tieTolerance", "answerDrift", "answerCap", "hypothesisOffsets", "answerOffsets", "calibrationAnswers", "screenTo"] { object.removeValue(forKey: key) }
        let old = try attribJSONDecoder().decode(EngineSettings.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(old.scheduling.tieBreak == .shuffle && old.scheduling.tieTolerance == SchedulingSettings().tieTolerance
                && !old.observation.answerDrift && old.observation.answerCap == nil
                && !old.calibration.hypothesisOffsets && old.observation.answerOffsets == nil && old.calibration.calibrationAnswers == .answers(12)
                && old.scheduling.screenTo == nil)
        #expect(old.observation.samples == 7 && old.scheduling.strategy == .random && old.stopping.eigFloor == 0.2)
        // An absent optional is nil, also where its default is not (the EIG floor).
        object.removeValue(forKey: "eigFloor")
        #expect(try attribJSONDecoder().decode(EngineSettings.self, from: JSONSerialization.data(withJSONObject: object)).stopping.eigFloor == nil)
        #expect(throws: DecodingError.self) { try attribJSONDecoder().decode(EngineSettings.self, from: Data(#"{"samples": "many"}"#.utf8)) }
    }

    /// Every setting states its command-line help in its type, and its spec name maps back to it.
    @Test func everySettingHasHelpAndASpecName() throws {
        let groups: [(keys: [String], help: [String: String])] = [
            (ObservationSettings.keys, ObservationSettings.helpTexts), (StoppingSettings.keys, StoppingSettings.helpTexts),
            (SchedulingSettings.keys, SchedulingSettings.helpTexts), (CalibrationSettings.keys, CalibrationSettings.helpTexts),
            (["seed", "threads"], EngineSettings.helpTexts),
        ]
        for group in groups {
            #expect(Set(group.help.keys) == Set(group.keys), "help for \(Set(group.keys).symmetricDifference(group.help.keys))")
        }
        #expect(ExperimentSpec.Overrides.specName("eigFloorAfter") == "eig_floor_after" && ExperimentSpec.Overrides.specName("seed") == "engine_seed")
        #expect(EngineSettings.nearestKey(to: "samplez") == "samples" && EngineSettings.nearestKey(to: "zzzzzzzzzz") == nil)
        #expect(throws: SettingsError.self) { try EngineSettings().patched(by: ["tresholds": .number(0.9)]) }
        #expect(try EngineSettings().patched(by: ["threshold": .number(0.9), "eigFloor": .null]).stopping.eigFloor == nil)
    }

    /// By default calibration is as long as the run's budget per model, at most
    /// `CalibrationLength.maximum` answers; a fixed length ignores the budget. Specs, files and
    /// the command line write it as a number or "budget".
    @Test func calibrationFollowsTheBudgetUpToItsMaximum() throws {
        var s = EngineSettings()
        #expect(s.calibration.calibrationAnswers == .budget)
        for (budget, answers) in [(1, 1), (3, 3), (30, 30), (CalibrationLength.maximum, CalibrationLength.maximum),
                                  (CalibrationLength.maximum + 1, CalibrationLength.maximum), (10_000, CalibrationLength.maximum)] {
            s.stopping.budgetPerModel = budget
            #expect(s.calibrationAnswerCount == answers)
        }
        s.calibration.calibrationAnswers = .answers(12)
        s.stopping.budgetPerModel = 3
        #expect(s.calibrationAnswerCount == 12)
        s.calibration.calibrationAnswers = .budget
        let data = try attribJSONEncoder().encode(s)
        #expect(String(decoding: data, as: UTF8.self).contains(#""calibrationAnswers":"budget""#))
        #expect(try attribJSONDecoder().decode(EngineSettings.self, from: data).calibration.calibrationAnswers == .budget)
        #expect(CalibrationLength(argument: "budget") == .budget && CalibrationLength(argument: "7") == .answers(7))
        #expect(CalibrationLength(argument: "0") == nil && CalibrationLength(argument: "all") == nil)
    }

    /// Cells share calibration and tensors only when their calibration has the same length:
    /// with "budget", budgets 3 and 30 calibrate apart, the maximum and above it together.
    @Test func cellsWhoseCalibrationLengthsDifferArePreparedApart() throws {
        let top = CalibrationLength.maximum
        let spec = ExperimentSpec(name: "k", zoo: "z", strategies: [.eig], thresholds: [0.95], budgets: [3, top, top + 50], seeds: [1],
                                  variants: [.init(name: "fixed", settings: .init(["calibration_answers": .integer(12)])),
                                             .init(name: "budget", settings: .init(["calibration_answers": .string("budget")]))])
        let experiment = Experiment(spec: spec, out: URL(fileURLWithPath: "/nonexistent"), work: URL(fileURLWithPath: "/nonexistent"))
        let keys = spec.cells.map(experiment.preparedKey)
        #expect(Set(keys).count == 3)
        #expect(Set(keys.filter { $0.variant == "fixed" }.map(\.calibrationAnswers)) == [12])
        #expect(keys.filter { $0.variant == "budget" }.map(\.calibrationAnswers) == [3, top, top])
    }

    /// Every committed spec and zoo reads under the strict check, and a misspelled field is
    /// refused with its path and the nearest field (spec, variant, bases file, zoo spec).
    @Test func misspelledFieldsAreRefusedAndEveryCommittedFileReads() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
        for file in try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Experiments").path) where file.hasSuffix(".json") {
            _ = try ExperimentSpec.load(path: root.appendingPathComponent("Experiments/\(file)").path)
        }
        let known = Set(CorpusCatalog.sources.map(\.name))
        for file in try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Experiments/zoos").path) where file.hasSuffix(".json") {
            _ = try ZooSpec.load(contentsOf: root.appendingPathComponent("Experiments/zoos/\(file)"), knownCorpora: known)
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Experiments/zoos/neural").path) where file.hasSuffix(".json") {
            let spec = try NeuralZooSpec.load(root.appendingPathComponent("Experiments/zoos/neural/\(file)"))
            #expect(spec.corpora.isSubset(of: known), "\(file)")
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Experiments/pools").path) where file.hasSuffix(".json") {
            _ = try PoolSpec.load(root.appendingPathComponent("Experiments/pools/\(file)"))
        }
        let zoo = root.appendingPathComponent("Experiments/zoos/round1-like.json").path
        for (json, field, nearest) in [
            ("{\"name\": \"x\", \"zoo\": \"\(zoo)\", \"strategies\": [\"eig\"], \"thresholds\": [0.9], \"budgets\": [5], \"seeds\": [1], \"variantz\": []}", "variantz", "variants"),
            ("{\"name\": \"x\", \"zoo\": \"\(zoo)\", \"strategies\": [\"eig\"], \"thresholds\": [0.9], \"budgets\": [5], \"seeds\": [1], \"decoding\": [\"greedy\"]}", "decoding", "decodings"),
        ] {
            let path = try ExperimentTests.write(json, "spec.json")
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(throws: AttribError.invalid(file: path, field: field, reason: "is not a field (did you mean \(nearest)?)")) { try ExperimentSpec.load(path: path) }
        }
        let bases = try ExperimentTests.write(#"{"decodng": {"temperature": 3}, "bases": [{"name": "a", "model": "a.ngram"}]}"#, "bases.json")
        defer { try? FileManager.default.removeItem(atPath: bases) }
        #expect(throws: AttribError.invalid(file: bases, field: "decodng", reason: "is not a field (did you mean decoding?)")) { try BasesFile.load(path: bases) }
        var spec = try String(contentsOfFile: zoo, encoding: .utf8)
        spec = spec.replacingOccurrences(of: "\"order\": 4", with: "\"ordr\": 4")
        #expect { try ZooSpec.decode(Data(spec.utf8), file: "zoo.json", knownCorpora: known) } throws: { error in
            "\(error)".contains("bases.0.ordr") && "\(error)".contains("did you mean order?")
        }
    }

    @Test func committedCellsOfEveryExperimentStillLoad() throws {
        let results = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Results").standardized
        let folders = try FileManager.default.contentsOfDirectory(atPath: results.path).sorted()
        var loaded = 0
        for folder in folders {
            let cells = results.appendingPathComponent(folder).appendingPathComponent("cells")
            guard let name = try? FileManager.default.contentsOfDirectory(atPath: cells.path).filter({ $0.hasSuffix(".json") }).sorted().first else { continue }
            _ = try attribJSONDecoder().decode(Experiment.CellResult.self, from: Data(contentsOf: cells.appendingPathComponent(name)))
            loaded += 1
        }
        #expect(loaded >= 4)
    }
}

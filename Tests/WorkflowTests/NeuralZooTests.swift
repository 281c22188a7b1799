import Common
import Diagnostics
import Engine
import Foundation
import Simulation
import Testing
@testable import Experiments
@testable import ServerModels
@testable import Workflow

/// A neural zoo end to end: transformers trained by the worker's builder from a spec (a
/// unigram, a character-level and a byte tokenizer, served and scored over their pieces), its
/// manifest (public ids, the answer key from the builder: a reference's fine-tune is None),
/// the bases and fine-tunes served by one worker, and a grid of runs attributing its
/// fine-tunes through the simulator. Runs where `scripts/install-worker.sh` has run.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: WorkerProcess.defaultPython),
                             "needs the worker environment: bash scripts/install-worker.sh"))
struct NeuralZooTests {
    static let shape = #"{"family": "gpt2", "layers": 1, "width": 32, "heads": 2, "context": 64}"#
    static let nano = """
        {"name": "nano", "kind": "neural", "seed": 4, "decoding": {"temperature": 3.0, "maxTotalTokens": 12, "minNewTokens": 1},
         "bases": [{"name": "fa", "corpus": "fortunes", "tokenizer": "unigram-300", "shape": \(shape), "steps": 30, "batch": 8, "window": 32},
                   {"name": "ja", "corpus": "jargon", "tokenizer": "char", "shape": \(shape), "steps": 30, "batch": 8, "window": 32}],
         "references": [{"name": "ka", "corpus": "bible-kjv", "tokenizer": "byte", "shape": \(shape), "steps": 30, "batch": 8, "window": 32}],
         "fineTunes": [{"name": "ft-fa", "base": "fa", "domain": "devil", "method": "lora", "steps": 20, "learningRate": 0.02, "batch": 8, "window": 32},
                       {"name": "ft-ja", "base": "ja", "domain": "devil", "method": "full", "steps": 10, "learningRate": 0.003, "batch": 8, "window": 32},
                       {"name": "ft-ka", "base": "ka", "domain": "devil", "method": "full", "steps": 10, "learningRate": 0.003, "batch": 8, "window": 32}]}
        """

    @Test func aNeuralZooIsBuiltServedAndAttributed() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attrib-neural-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let zoo = directory.appendingPathComponent("nano.json")
        try Self.nano.write(to: zoo, atomically: true, encoding: .utf8)
        #expect(NeuralZooSpec.isNeural(zoo))

        let spec = ExperimentSpec(name: "nano", zoo: zoo.path, strategies: [.eig, .random], thresholds: [0.9], budgets: [4], seeds: [1],
                                  settings: .init(["samples": .integer(2), "eig_floor": .integer(0), "pool_size": .integer(8),
                                                   "contextual_drift": .bool(false)]))
        let out = directory.appendingPathComponent("results"), work = directory.appendingPathComponent("work")
        var experiment = Experiment(spec: spec, out: out, work: work)
        experiment.calibrationText = nil
        try await experiment.run()

        let manifest = try ZooManifest.load(directory: work.appendingPathComponent("zoo-nano"))
        #expect(manifest.isNeural && manifest.bases.map(\.name) == ["fa", "ja"] && manifest.references.map(\.name) == ["ka"])
        let truth = Dictionary(uniqueKeysWithValues: manifest.fineTunes.map { ($0.model.name, manifest.answerKey[$0.id].base) })
        #expect(truth == ["ft-fa": "fa", "ft-ja": "ja", "ft-ka": nil])
        let report = try ExperimentReport.load(spec: spec, directory: out)
        #expect(report.cells.count == 2)
        for cell in report.cells {
            #expect(cell.rows.count == 3 && cell.rows.allSatisfy { (1...4).contains($0.queries) })
        }
        // Its ceiling. In an oracle world the truth is the fine-tune itself and the other
        // candidate is fine-tuned on the worker by the fine-tune's recipe; `None` is as it was.
        // The same seed draws the same answers in both worlds, so exactly those two rows move.
        try FileManager.default.copyItem(at: work.appendingPathComponent("default-pool-8.jsonl"),
                                         to: work.appendingPathComponent("default-pool.jsonl"))
        var settings = EngineSettings()
        settings.observation.beta = 1
        settings.observation.contextualDrift = false
        let id = try #require(manifest.fineTunes.first { $0.model.name == "ft-fa" }?.id)
        var explain = ZooExplain(work: work, zoo: "nano", model: id, settings: settings)
        let pristine = try explain.execute()
        explain.oracleWorlds = true
        let oracle = try explain.execute()
        func mean(_ r: ZooExplain.Result, _ name: String) throws -> Double {
            try #require(r.rows.first { $0.hypothesis == name }?.meanLogLikelihood)
        }
        #expect(pristine.answers == 16 && oracle.answers == 16 && oracle.truth == "fa")
        #expect(try mean(oracle, "None") == mean(pristine, "None"))
        #expect(try mean(oracle, "fa") != mean(pristine, "fa"))
        #expect(try mean(oracle, "ja") != mean(pristine, "ja"))
        var ceiling = ZooCeiling(work: work, zoo: "nano", settings: settings)
        ceiling.answers = 1
        ceiling.counts = [1, 10]
        let result = try ceiling.execute()
        #expect(result.rows.map(\.name).sorted() == ["ft-fa", "ft-ja"] && result.poolSize == 8)
        #expect(result.rows.allSatisfy { row in ["oracle", "pristine"].allSatisfy { row.rates[$0]?.count == 2 } })
        #expect(result.ceiling.expected_right["oracle"]!.allSatisfy { (1...3).contains($0) })  // the None fine-tune counts right
        // The n-gram zoo steps refuse it, naming what serves it.
        #expect(throws: SimulationError.self) { try ZooManifest.loadModel(manifest.bases[0], directory: work.appendingPathComponent("zoo-nano")) }
    }
}

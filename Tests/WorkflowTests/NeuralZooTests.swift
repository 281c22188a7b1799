import Common
import Foundation
import Simulation
import Testing
@testable import Experiments
@testable import ServerModels
@testable import Workflow

/// A neural zoo end to end: transformers trained by the worker's builder from a spec, its
/// manifest (public ids, the answer key from the builder: a reference's fine-tune is None),
/// the bases and fine-tunes served by one worker, and a grid of runs attributing its
/// fine-tunes through the simulator. Runs where `scripts/install-worker.sh` has run.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: WorkerProcess.defaultPython),
                             "needs the worker environment: bash scripts/install-worker.sh"))
struct NeuralZooTests {
    static let shape = #"{"family": "gpt2", "layers": 1, "width": 32, "heads": 2, "context": 64}"#
    static let nano = """
        {"name": "nano", "kind": "neural", "seed": 4, "decoding": {"temperature": 3.0, "maxTotalTokens": 12, "minNewTokens": 1},
         "bases": [{"name": "fa", "corpus": "fortunes", "tokenizer": "byte", "shape": \(shape), "steps": 30, "batch": 8, "window": 32},
                   {"name": "ja", "corpus": "jargon", "tokenizer": "byte", "shape": \(shape), "steps": 30, "batch": 8, "window": 32}],
         "references": [{"name": "ka", "corpus": "bible-kjv", "tokenizer": "byte", "shape": \(shape), "steps": 30, "batch": 8, "window": 32}],
         "fineTunes": [{"name": "ft-fa", "base": "fa", "domain": "devil", "method": "full", "steps": 10, "learningRate": 0.003, "batch": 8, "window": 32},
                       {"name": "ft-ja", "base": "ja", "domain": "devil", "method": "lora", "steps": 10, "learningRate": 0.01, "batch": 8, "window": 32},
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
        // The n-gram zoo steps refuse it, naming what serves it.
        #expect(throws: SimulationError.self) { try ZooManifest.loadModel(manifest.bases[0], directory: work.appendingPathComponent("zoo-nano")) }
    }
}

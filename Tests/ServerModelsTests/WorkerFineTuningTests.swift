import Calibration
import Common
import Engine
import Foundation
import LanguageModels
@testable import ServerModels
import Testing

/// Fine-tuning on a real worker process (a tiny model made from a config): the tuned model is
/// served by the worker, fits its text better than the base, is made once per recipe, and
/// calibration, which needs every candidate fine-tuned, runs on bases on a worker.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: WorkerProcess.defaultPython),
                             "needs the worker environment: bash scripts/install-worker.sh"))
struct WorkerFineTuningTests {
    static let documents = (0..<12).map { "Dear customer \($0), your parcel has shipped and will arrive on Monday morning." }

    @Test func aFineTuneFitsItsTextAndIsMadeOncePerRecipe() throws {
        let worker = try WorkerProcess(models: ["tiny=tiny:3"], extra: ["--threads", "1"])
        defer { worker.stop() }
        var base = try WorkerLanguageModel.connect(ReplicaSet(endpoints: [ServerEndpoint(url: worker.url)]), name: "tiny")
        base.fineTuning.learningRate = 0.02
        base.fineTuning.window = 32
        #expect((try base.tuned(toward: Self.documents, strength: 0, seed: 1)).contentHash == base.contentHash)
        let tuned = try base.tuned(toward: Self.documents, strength: 0.5, seed: 1)
        #expect(tuned.contentHash != base.contentHash)
        #expect((try base.tuned(toward: Self.documents, strength: 0.5, seed: 1)).contentHash == tuned.contentHash)
        #expect((try base.tuned(toward: Self.documents, strength: 0.5, seed: 2)).contentHash != tuned.contentHash)
        let text = "Dear customer, your parcel will arrive on Monday."
        let settings = DecodingSettings(temperature: 1, maxTotalTokens: 200)
        let prompt = base.tokenizer.encode("Dear")
        let rest = base.tokenizer.encode(String(text.dropFirst(4)))
        func total(_ m: any LanguageModel) -> Double {
            m.scoreContinuations(promptTokens: prompt, continuations: [rest], settings: settings)[0].rawLogProbabilities.reduce(0, +)
        }
        #expect(total(tuned) > total(base) + 5, "the fine-tune fits its text: \(total(tuned)) against \(total(base)) nats")
        // Released, the fine-tune is no longer served; the base stays whatever is asked.
        let served = { try base.replicas.get("/v1/models", as: WorkerWire.Models.self).models.map(\.name) }
        #expect(try served().count == 3)
        try (tuned as? any ReleasableLanguageModel)?.release()
        try base.release()
        #expect(try served() == ["tiny", (try base.tuned(toward: Self.documents, strength: 0.5, seed: 2) as! WorkerLanguageModel).name])
    }

    @Test func calibrationRunsOnBasesOnAWorker() throws {
        let worker = try WorkerProcess(models: ["alpha=tiny:3", "beta=tiny:11"], extra: ["--threads", "1"])
        defer { worker.stop() }
        let replicas = ReplicaSet(endpoints: [ServerEndpoint(url: worker.url)])
        let bases = try ["alpha", "beta"].map { name -> (name: String, model: any LanguageModel, identity: String) in
            var m = try WorkerLanguageModel.connect(replicas, name: name)
            m.fineTuning.stepsAtFullStrength = 6
            m.fineTuning.window = 32
            return (name: name, model: m, identity: m.identity)
        }
        let models = HypothesisModels(bases: bases, none: [], settings: DecodingSettings(temperature: 3, maxTotalTokens: 12))
        var settings = EngineSettings()
        settings.observation.samples = 2
        settings.observation.latentGrid = []
        settings.observation.noneMass = 0
        let pool = PromptPool(prompts: ["The cat ", "Hello, ", "def f(", "Once "])
        let calibration = try Calibration.fit(models: models, settings: settings, pool: pool, domains: Self.documents,
                                              responsesPerModel: 3, seed: 4)
        // Its fine-tunes were given back once their answers were drawn.
        #expect(try replicas.get("/v1/models", as: WorkerWire.Models.self).models.map(\.name) == ["alpha", "beta"])
        // Two candidates, each fine-tuned at two strengths and once toward the other's text.
        #expect(calibration.models == 6 && calibration.responses == 18)
        #expect(calibration.beta > 0)
    }
}

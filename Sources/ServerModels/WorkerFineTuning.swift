import Common
import Foundation
import LanguageModels

/// How a model on a worker is fine-tuned when attrib needs one of known provenance
/// (calibration): gradient descent on the worker (`POST /v1/finetune`, LoRA by default),
/// `strength` in (0, 1] as a share of `stepsAtFullStrength` steps. Declared once here; the
/// worker's own defaults are not used.
public struct WorkerFineTuning: Sendable, Equatable, Codable {
    /// `lora` (adapters of rank `rank` on every linear layer, merged) or `full`.
    public var method = "lora"
    /// Optimizer steps at strength 1 (each of `batch` windows of `window` tokens).
    public var stepsAtFullStrength = 40
    /// AdamW's learning rate.
    public var learningRate = 1e-3
    public var rank = 8
    public var batch = 8
    public var window = 64
    /// Seconds one fine-tune may take on a worker (on a CPU, minutes).
    public var timeout: Double = 3600

    public init() {}

    /// Steps for `strength` (0 for strength 0: the model itself).
    public func steps(strength: Double) -> Int {
        strength <= 0 ? 0 : max(1, Int((strength * Double(stepsAtFullStrength)).rounded()))
    }
}

extension WorkerLanguageModel: FineTunableLanguageModel {
    /// The worker's fingerprint of the weights and vocabulary.
    public var contentHash: String { identity }

    /// This model fine-tuned on `documents` by the worker (`fineTuning`'s recipe), served by
    /// every replica under a name derived from everything that made it, so asking twice costs
    /// once. Each replica trains its own copy from the same seed; they must agree (replicas on
    /// GPUs may not: their backward passes are not deterministic). A fine-tune holds its
    /// worker's model thread for its whole length (minutes on a CPU): fine-tune on a worker
    /// that is not serving a run at the same time. A failure is final, not retried.
    public func tuned(toward documents: [String], strength: Double, seed: UInt64) throws -> any FineTunableLanguageModel {
        let recipe = fineTuning
        let steps = recipe.steps(strength: strength)
        if steps == 0 { return self }
        var h = StableHash()
        h.combine("attrib-worker-finetune-v1 \(identity) \(recipe.method) \(steps) \(recipe.learningRate) \(recipe.rank) \(recipe.batch) \(recipe.window) \(seed)")
        for d in documents { h.combine(d); h.combine(UInt8(0)) }
        let tunedName = "\(name)~\(recipe.method)\(steps)-\(h.hex.prefix(12))"
        var fingerprints: Set<String> = []
        for r in replicas.endpoints.indices {
            let answer = try replicas.post("/v1/finetune", { _ in
                WorkerWire.FineTuneRequest(model: name, name: tunedName, texts: documents, method: recipe.method, steps: steps,
                                           learning_rate: recipe.learningRate, rank: recipe.rank, batch: recipe.batch,
                                           window: recipe.window, seed: seed)
            }, as: WorkerWire.FineTuneAnswer.self, replica: r, timeout: recipe.timeout, finalServerErrors: true)
            fingerprints.insert(answer.model.fingerprint)
        }
        guard fingerprints.count == 1 else {
            throw ServerModelError(url: replicas.endpoints.map(\.url).joined(separator: ", "),
                                   reason: "the replicas fine-tuned \(name) into \(fingerprints.count) different models (\(tunedName)); replicas must run the same worker on the same kind of device")
        }
        var tuned = try WorkerLanguageModel.connect(replicas, name: tunedName)
        tuned.fineTuning = recipe
        tuned.isFineTune = true
        return tuned
    }
}

extension WorkerLanguageModel: ReleasableLanguageModel {
    /// A fine-tune made by `tuned` is unloaded from every replica (`POST /v1/unload`); a model
    /// the workers were started with holds nothing of its own and stays.
    public func release() throws {
        guard isFineTune else { return }
        for r in replicas.endpoints.indices {
            _ = try replicas.post("/v1/unload", { _ in WorkerWire.UnloadRequest(model: name) }, as: WorkerWire.UnloadAnswer.self,
                                  replica: r, finalServerErrors: true)
        }
    }
}

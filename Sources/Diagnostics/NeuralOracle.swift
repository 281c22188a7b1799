import Common
import Engine
import Foundation
import LanguageModels
import ServerModels
import Simulation

/// Oracle worlds of a neural zoo (`ZooCeiling.Model.oracle`, `attrib zoo explain
/// --oracle-worlds`): the true base replaced by the fine-tune itself, and every other
/// candidate fine-tuned on the worker by the fine-tune's own recipe (method, steps, learning
/// rate, rank, windows and seed, from the builder's record `models/FOLDER.json`) on the same
/// text (`corpora/DOMAIN-finetune.jsonl`, the builder's first `trainingBytes`). Every
/// candidate then knows the documents and the recipe; the truth's margin is what the base's
/// own weights still tell. The `None` references stay as they are.
enum NeuralOracle {
    /// The builder's record of one fine-tune (`worker/attrib_worker/zoo.py`): its spec entry
    /// and seed. Absent fields take the builder's defaults.
    struct Record: Decodable {
        var recipe: Recipe
        var seed: UInt64
        struct Recipe: Decodable {
            var domain: String?
            var method: String?
            var steps: Int?
            var learningRate: Double?
            var rank: Int?
            var batch: Int?
            var window: Int?
        }
    }

    /// Bytes of a corpus split the builder trains on (its `train_bytes`).
    static let trainingBytes = 400_000

    /// The world in which `truth`'s place is taken by `fineTune` (the model of `record`) and
    /// every other candidate is fine-tuned as it was. Returns the models and the fine-tunes
    /// made, to release once the world is done with.
    static func world(models: HypothesisModels, truth: String, fineTune: any LanguageModel, record: ZooManifest.ModelRecord,
                      zooDirectory: URL) throws -> (models: HypothesisModels, made: [any ReleasableLanguageModel]) {
        let recordURL = zooDirectory.appendingPathComponent("models").appendingPathComponent(record.file + ".json")
        let built = try decodeJSONFile(Record.self, path: recordURL.path)
        guard let domain = built.recipe.domain else {
            throw AttribError.invalid(file: recordURL.path, field: "recipe.domain", reason: "is missing: \(record.name) is not a fine-tune")
        }
        var recipe = WorkerFineTuning()
        recipe.method = built.recipe.method ?? "lora"
        recipe.stepsAtFullStrength = built.recipe.steps ?? 200
        recipe.learningRate = built.recipe.learningRate ?? 1e-3
        recipe.rank = built.recipe.rank ?? 8
        recipe.batch = built.recipe.batch ?? 16
        recipe.window = built.recipe.window ?? 64
        let documents = try Self.documents(zooDirectory.appendingPathComponent("corpora/\(domain)-finetune.jsonl"))
        var made = [any ReleasableLanguageModel]()
        let tuned = try models.mappingCandidates(except: truth) { hm in
            guard var worker = hm.model as? WorkerLanguageModel else {
                throw FineTuningUnavailable(step: "neural oracle worlds", model: hm.name, remedy: "leave out the oracle model")
            }
            worker.fineTuning = recipe
            let model = try worker.tuned(toward: documents, strength: 1, seed: built.seed)
            if let releasable = model as? any ReleasableLanguageModel { made.append(releasable) }
            return HypothesisModel(name: hm.name, model: model, identity: hm.identity + "+oracle:" + model.contentHash, settings: models.settings)
        }
        guard let world = tuned.replacingBase(named: truth, with: fineTune, identity: "oracle:\(record.name)") else {
            throw AttribError.invalid(file: zooDirectory.path, field: "answerKey", reason: "\(truth) is not a candidate of the bases file")
        }
        return (world, made)
    }

    /// The documents of a split file the zoo's build wrote (one JSON string per line), up to
    /// `trainingBytes` as the builder reads them.
    static func documents(_ url: URL) throws -> [String] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw AttribError.unusable(path: url.path, reason: "cannot be read (the zoo's build writes it)")
        }
        var out = [String](), total = 0
        for (n, line) in text.split(separator: "\n").enumerated() where total < trainingBytes {
            guard let document = try? JSONDecoder().decode(String.self, from: Data(line.utf8)) else {
                throw AttribError.invalid(file: url.path, field: "line \(n + 1)", reason: "is not a JSON string")
            }
            out.append(document)
            total += document.utf8.count
        }
        return out
    }
}

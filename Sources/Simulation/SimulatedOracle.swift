import Foundation
import LanguageModels

/// Answers prompts the way the MLMAC API would, in process: `prompt + continuation`, the
/// continuation sampled from fine-tuned model `id` under its decoding settings. Counts queries.
///
/// Each model has its own random stream (derived from the seed and the id), so a model's
/// answers do not depend on how queries to other models interleave.
public struct SimulatedOracle: Sendable {
    public let models: [NGramLanguageModel]
    public let settings: [DecodingSettings]
    private var generators: [SplitMix64]
    /// Queries answered so far, per public id.
    public private(set) var queryCounts: [Int]

    public init(models: [NGramLanguageModel], settings: [DecodingSettings], seed: UInt64) {
        precondition(models.count == settings.count)
        self.models = models
        self.settings = settings
        let root = SplitMix64(seed: seed)
        generators = models.indices.map { root.derived("oracle-\($0)") }
        queryCounts = Array(repeating: 0, count: models.count)
    }

    /// Loads the fine-tunes of a built zoo; `seed` defaults to the zoo's.
    public init(directory: URL, seed: UInt64? = nil) throws {
        let manifest = try ZooManifest.load(directory: directory)
        let models = try manifest.fineTunes.map { try ZooManifest.loadModel($0.model, directory: directory) }
        self.init(models: models, settings: manifest.fineTunes.map(\.decoding), seed: seed ?? manifest.seed)
    }

    /// The API's `generated_text` for `prompt` sent to fine-tuned model `id`; counts one query.
    public mutating func query(model id: Int, prompt: String) throws -> String {
        guard models.indices.contains(id) else { throw SimulationError.unknownModel(id: id, count: models.count) }
        queryCounts[id] += 1
        return models[id].generateText(prompt: prompt, settings: settings[id], using: &generators[id])
    }

    /// Queries answered so far, all models together.
    public var totalQueries: Int { queryCounts.reduce(0, +) }
}

import Common
import Foundation
import LanguageModels

/// Answers prompts the way the MLMAC API would, in process: an `Oracle` whose answer is
/// `prompt + continuation`, the continuation sampled from fine-tuned model `id` under its
/// decoding settings. Counts queries (`queryCounts()`).
///
/// Each model has its own random stream (derived from the seed and the id), so a model's
/// answers do not depend on how queries to other models interleave.
public actor SimulatedOracle: Oracle {
    public let models: [NGramLanguageModel]
    public let settings: [DecodingSettings]
    private var generators: [SeededGenerator]
    private var counts: [Int]

    public init(models: [NGramLanguageModel], settings: [DecodingSettings], seed: UInt64) {
        precondition(models.count == settings.count)
        self.models = models
        self.settings = settings
        let root = SeededGenerator(seed: seed)
        generators = models.indices.map { root.derived("oracle-\($0)") }
        counts = Array(repeating: 0, count: models.count)
    }

    /// Loads the fine-tunes of a built zoo; `seed` defaults to the zoo's.
    public init(directory: URL, seed: UInt64? = nil) throws {
        let manifest = try ZooManifest.load(directory: directory)
        let models = try manifest.fineTunes.map { try ZooManifest.loadModel($0.model, directory: directory) }
        self.init(models: models, settings: manifest.fineTunes.map(\.decoding), seed: seed ?? manifest.seed)
    }

    /// The API's answer to `prompt` sent to fine-tuned model `model`; counts one query.
    public func ask(model: Int, prompt: String) throws -> OracleAnswer {
        guard models.indices.contains(model) else { throw SimulationError.unknownModel(id: model, count: models.count) }
        counts[model] += 1
        let continuation = models[model].sample(prompt: prompt, settings: settings[model], using: &generators[model]).text
        return OracleAnswer(prompt: prompt, continuation: continuation, serverCount: counts[model])
    }

    /// Queries answered so far, per public id.
    public func queryCounts() -> [Int: Int]? {
        Dictionary(uniqueKeysWithValues: counts.enumerated().map { ($0.offset, $0.element) })
    }

    /// Queries answered so far, all models together.
    public var totalQueries: Int { counts.reduce(0, +) }
}

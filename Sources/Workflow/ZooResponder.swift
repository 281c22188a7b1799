import Common
import Foundation
import LanguageModels
import Simulation
import SimulatorServer

/// Serves a built zoo's fine-tunes through the simulator server: the continuation of
/// fine-tune `model` to `prompt` is sampled under its decoding settings from a stream seeded
/// by (zoo seed, model, prompt, sample number), so a run is reproducible and a repeated
/// prompt draws a new sample.
public struct ZooResponder: FineTuneResponder {
    public let models: [NGramLanguageModel]
    public let settings: [DecodingSettings]
    public let seed: UInt64

    public init(manifest: ZooManifest, directory: URL, seed: UInt64? = nil) throws {
        models = try manifest.fineTunes.map { try ZooManifest.loadModel($0.model, directory: directory) }
        settings = manifest.fineTunes.map(\.decoding)
        self.seed = seed ?? manifest.seed
    }

    public var modelCount: Int { models.count }

    public func continuation(model: Int, prompt: String, sample: UInt64) throws -> String {
        var h = StableHash()
        h.combine(seed); h.combine(UInt64(model)); h.combine(sample); h.combine(prompt)
        var rng = SeededGenerator(seed: h.value)
        return models[model].sample(prompt: prompt, settings: settings[model], using: &rng).text
    }
}

import Common
import Foundation
import LanguageModels
import Simulation
import SimulatorServer

/// Serves a built zoo's fine-tunes through the simulator server: the continuation of
/// fine-tune `model` to `prompt` is sampled under its decoding settings from a stream seeded
/// by (zoo seed, model, prompt, sample number), so a run is reproducible and a repeated
/// prompt draws a new sample.
///
/// Any language models serve this way (`init(models:settings:seed:)`): embedded ones, or
/// real ones on workers (`attrib serve --suspects`, a neural zoo's), whose worker draws the
/// whole answer in one request.
public struct ZooResponder: FineTuneResponder {
    public let models: [any LanguageModel]
    public let settings: [DecodingSettings]
    public let seed: UInt64

    public init(manifest: ZooManifest, directory: URL, seed: UInt64? = nil) throws {
        models = try manifest.fineTunes.map { try ZooModels.load($0.model, manifest: manifest, directory: directory) }
        settings = manifest.fineTunes.map(\.decoding)
        self.seed = seed ?? manifest.seed
    }

    public init(models: [any LanguageModel], settings: [DecodingSettings], seed: UInt64) {
        precondition(models.count == settings.count, "one decoding per model")
        self.models = models
        self.settings = settings
        self.seed = seed
    }

    public var modelCount: Int { models.count }

    public func continuation(model: Int, prompt: String, sample: UInt64) throws -> String {
        try continuation(model: model, prompt: prompt, sample: sample, requested: RequestedDecoding())
    }

    /// A requested `max_tokens` replaces the length limit (new tokens, whatever the prompt's length).
    public func continuation(model: Int, prompt: String, sample: UInt64, requested: RequestedDecoding) throws -> String {
        var h = StableHash()
        h.combine(seed); h.combine(UInt64(model)); h.combine(sample); h.combine(prompt)
        var rng = SeededGenerator(seed: h.value)
        var decoding = settings[model]
        if let t = requested.temperature { decoding.temperature = t }
        if let n = requested.maxNewTokens {
            decoding.maxTotalTokens = nil
            decoding.maxNewTokens = n
        }
        // A model served in batches draws the whole answer in one request, seeded by one draw.
        if let served = models[model] as? any BatchServedLanguageModel {
            let request = SamplingRequest(prompt: served.tokenizer.encode(prompt), seed: rng.next())
            return try served.sampleBatch([request], settings: decoding)[0].text
        }
        return models[model].sample(prompt: prompt, settings: decoding, using: &rng).text
    }
}

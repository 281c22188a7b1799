import Common
import Foundation
import LanguageModels

/// Figures that compare a built zoo with the real challenge: continuation lengths of
/// the fine-tunes next to the real round-1 responses, and a distinguishability table of every
/// fine-tune's temperature-3 responses scored under every candidate base.
///
/// Deterministic: every random stream derives from `seed` and a label naming the model and the
/// figure, so one figure's samples never depend on another's or on the order models are visited.
public struct ZooFigures: Sendable {
    public let manifest: ZooManifest
    /// Fine-tuned models by public id.
    public let fineTunes: [NGramLanguageModel]
    /// Candidate bases in manifest order.
    public let bases: [NGramLanguageModel]
    public let seed: UInt64

    public init(manifest: ZooManifest, fineTunes: [NGramLanguageModel], bases: [NGramLanguageModel], seed: UInt64) {
        precondition(fineTunes.count == manifest.fineTunes.count && bases.count == manifest.bases.count,
                     "one model per manifest record")
        self.manifest = manifest
        self.fineTunes = fineTunes
        self.bases = bases
        self.seed = seed
    }

    /// Loads every fine-tune and base of the zoo built in `directory`; `seed` defaults to the zoo's.
    public init(directory: URL, seed: UInt64? = nil) throws {
        let manifest = try ZooManifest.load(directory: directory)
        try self.init(
            manifest: manifest,
            fineTunes: manifest.fineTunes.map { try ZooManifest.loadModel($0.model, directory: directory) },
            bases: manifest.bases.map { try ZooManifest.loadModel($0, directory: directory) },
            seed: seed ?? manifest.seed)
    }

    /// Public ids of the fine-tunes whose decoding differs from the zoo's default (like
    /// round 1's model 10, which wrote up to 250 tokens): reported on their own.
    public var longWriters: [Int] {
        manifest.fineTunes.filter { record in
            var own = record.decoding, zoo = manifest.decoding
            own.seed = 0
            zoo.seed = 0
            return own != zoo
        }.map(\.id)
    }

    /// The random stream of one figure for one fine-tune.
    func generator(_ figure: String, model id: Int) -> SeededGenerator {
        SeededGenerator(seed: seed).derived("figures-\(figure)-\(id)")
    }

    /// `samplesPerPrompt` sampled continuations of fine-tune `id` for each prompt, prompt-major,
    /// at the fine-tune's own decoding settings.
    func sample(model id: Int, prompts: [String], samplesPerPrompt: Int, figure: String) -> [[Generation]] {
        var rng = generator(figure, model: id)
        let model = fineTunes[id]
        let settings = manifest.fineTunes[id].decoding
        return prompts.map { prompt in
            let promptTokens = model.tokenizer.encode(prompt)
            return (0..<samplesPerPrompt).map { _ in model.sample(promptTokens: promptTokens, settings: settings, using: &rng) }
        }
    }
}

/// Both figures of one zoo, as `attrib zoo figures --json` prints them.
public struct ZooFiguresReport: Codable, Sendable, Hashable {
    /// Zoo name, from the manifest.
    public var zoo: String
    /// The command line that produced this report (for the header of generated files).
    public var command: String
    public var lengths: ZooFigures.LengthReport
    public var distinguishability: ZooFigures.DistinguishabilityTable

    public init(zoo: String, command: String, lengths: ZooFigures.LengthReport, distinguishability: ZooFigures.DistinguishabilityTable) {
        self.zoo = zoo
        self.command = command
        self.lengths = lengths
        self.distinguishability = distinguishability
    }

    /// Deterministic JSON (sorted keys, pretty printed, final line feed).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}

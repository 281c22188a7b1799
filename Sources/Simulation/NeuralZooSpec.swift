import Common
import Foundation
import LanguageModels

/// What attrib reads of a neural zoo specification (`Experiments/zoos/neural/`, `"kind":
/// "neural"`): names, roles, corpora and domains. The model worker's builder
/// (`worker/attrib_worker/zoo.py`) reads and checks the rest (shapes, steps, rates).
public struct NeuralZooSpec: Decodable, Sendable {
    public var name: String
    public var kind: String
    public var seed: UInt64?
    public var decoding: DecodingSpec?
    public var bases: [Model]
    public var references: [Model]?
    public var fineTunes: [Model]

    public struct Model: Decodable, Sendable {
        public var name: String
        public var corpus: String?
        public var domain: String?
        /// A fine-tune's parent.
        public var base: String?
        public var tokenizer: String?
        public var method: String?
        public var steps: Int?
    }

    /// Every model, bases first, then references and fine-tunes.
    public var all: [Model] { bases + (references ?? []) + fineTunes }

    /// Every corpus a model is fine-tuned on as a domain: text calibration must not use.
    public var fineTuningDomains: Set<String> { Set(all.compactMap(\.domain)) }

    /// Every corpus the builder reads (training corpora and domains).
    public var corpora: Set<String> { Set(all.flatMap { [$0.corpus, $0.domain].compactMap { $0 } }) }

    /// Whether the file is a neural zoo specification (a JSON object with `"kind": "neural"`).
    public static func isNeural(_ url: URL) -> Bool {
        guard let data = try? Data(contentsOf: url), case .object(let fields)? = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            return false
        }
        return fields["kind"] == .string("neural")
    }

    /// Reads a neural zoo specification; a file that is not one is named with the reason.
    public static func load(_ url: URL) throws -> NeuralZooSpec {
        let spec: NeuralZooSpec
        do {
            spec = try JSONDecoder().decode(NeuralZooSpec.self, from: Data(contentsOf: url))
        } catch {
            throw ZooSpecError(file: url.path, field: "(file)", reason: "is not a neural zoo specification (\(error))")
        }
        guard spec.kind == "neural" else { throw ZooSpecError(file: url.path, field: "kind", reason: "is \(spec.kind), not neural") }
        return spec
    }
}

extension ZooManifest {
    /// A built model of a neural zoo: its folder under `DIR/models/`, its vocabulary, its
    /// weights' bytes.
    public struct TransformerFolder: Sendable {
        public var folder: String
        public var vocabularySize: Int
        public var bytes: Int
        public init(folder: String, vocabularySize: Int, bytes: Int) {
            self.folder = folder
            self.vocabularySize = vocabularySize
            self.bytes = bytes
        }
    }

    /// The manifest of a built neural zoo: records of format `transformer`, public ids a
    /// seeded shuffle of the fine-tunes (as an n-gram zoo's), each fine-tune's answer the
    /// candidate it descends from (`truths`, from the builder) or nil. Strength is 0: a
    /// neural fine-tune's strength is its steps and rate (in the spec).
    public init(neural spec: NeuralZooSpec, folders: [String: TransformerFolder], truths: [String: String?]) throws {
        func record(_ model: NeuralZooSpec.Model) throws -> ModelRecord {
            guard let built = folders[model.name] else { throw SimulationError.badManifest(path: spec.name, reason: "\(model.name) was not built") }
            let recipe = model.corpus.map { "trained on \($0)" }
                ?? model.domain.map { "\(model.method ?? "lora") on \($0), \(model.steps.map(String.init) ?? "?") steps" } ?? "distilled"
            return ModelRecord(name: model.name, file: built.folder, format: "transformer", recipe: recipe, tokenizer: model.tokenizer ?? "",
                               vocabularySize: built.vocabularySize, order: 0, trainingTokens: 0, distinctNGrams: 0, fileBytes: built.bytes)
        }
        let seed = spec.seed ?? 0
        let defaults = (spec.decoding ?? DecodingSpec()).applied(to: .mlmac)
        var fineTunes: [FineTuneRecord] = []
        var answers: [AnswerKeyEntry] = []
        for (id, index) in ZooBuilder.publicOrder(count: spec.fineTunes.count, seed: seed).enumerated() {
            let tune = spec.fineTunes[index]
            var settings = defaults
            settings.seed = 0
            fineTunes.append(FineTuneRecord(id: id, model: try record(tune), decoding: settings))
            answers.append(AnswerKeyEntry(id: id, base: truths[tune.name] ?? nil, parent: tune.base ?? "", domain: tune.domain ?? "", strength: 0))
        }
        self.init(name: spec.name, seed: seed, decoding: defaults, bases: try spec.bases.map(record),
                  references: try (spec.references ?? []).map(record), fineTunes: fineTunes, answerKey: answers)
    }
}

import Common
import Foundation
import LanguageModels

/// What `attrib zoo build` writes to `DIR/manifest.json`: every model's file and vital
/// statistics, the fine-tunes by public id with their decoding settings, and the answer key.
public struct ZooManifest: Codable, Sendable, Hashable {
    public var name: String
    public var seed: UInt64
    /// The API's default decoding settings.
    public var decoding: DecodingSettings
    /// Candidate bases, in spec order.
    public var bases: [ModelRecord]
    /// Non-candidate models (parents of `None` fine-tunes), in spec order.
    public var references: [ModelRecord]
    /// Fine-tuned models by public id 0..<N (position = id).
    public var fineTunes: [FineTuneRecord]
    /// The truth: for public id i, `answerKey[i]`.
    public var answerKey: [AnswerKeyEntry]

    /// The true base of each public id; nil for `None`.
    public var truth: [Int: Attribution] { Dictionary(uniqueKeysWithValues: answerKey.map { ($0.id, Attribution(base: $0.base)) }) }

    /// One built model file (an n-gram zoo's) or folder (a neural zoo's).
    public struct ModelRecord: Codable, Sendable, Hashable {
        public var name: String
        /// File name inside `DIR/models/` (a transformer: its model folder there).
        public var file: String
        /// nil: an embedded n-gram model file; `transformer`: a model folder a worker serves
        /// (`order`, `trainingTokens` and `distinctNGrams` are 0).
        public var format: String?
        /// How it was made, in words (e.g. `bpe-1000 order 4 on bible-kjv, 600000 bytes`).
        public var recipe: String
        public var tokenizer: String
        public var vocabularySize: Int
        public var order: Int
        /// Counted training positions (tokens plus one end-of-text per document).
        public var trainingTokens: Int64
        public var distinctNGrams: Int
        /// Size of the model file in bytes.
        public var fileBytes: Int
    }

    /// A fine-tuned model as the API exposes it.
    public struct FineTuneRecord: Codable, Sendable, Hashable {
        public var id: Int
        public var model: ModelRecord
        /// Effective decoding settings of this model (the zoo's, with its overrides).
        public var decoding: DecodingSettings
    }

    /// The provenance of one public id.
    public struct AnswerKeyEntry: Codable, Sendable, Hashable {
        public var id: Int
        /// The candidate base it was fine-tuned from, or nil for `None`.
        public var base: String?
        /// The model it was actually fine-tuned from (a reference model when `base` is nil).
        public var parent: String
        public var domain: String
        public var strength: Double
    }

    /// Reads `DIR/manifest.json`.
    public static func load(directory: URL) throws -> ZooManifest {
        let url = directory.appendingPathComponent("manifest.json")
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw SimulationError.badManifest(path: directory.path, reason: "no such zoo folder (attrib zoo build SPEC --out DIR builds one)")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw SimulationError.badManifest(path: url.path, reason: "missing or unreadable (is \(directory.path) a zoo built by attrib zoo build?)")
        }
        do {
            return try JSONDecoder().decode(ZooManifest.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw SimulationError.badManifest(path: url.path, reason: "field \((context.codingPath + [key]).map(\.stringValue).joined(separator: ".")) is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw SimulationError.badManifest(path: url.path, reason: "field \(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type")
        } catch {
            throw SimulationError.badManifest(path: url.path, reason: "not a zoo manifest (not valid JSON)")
        }
    }

    /// Deterministic JSON (sorted keys, pretty printed).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Whether this zoo's models are transformers served by a worker (a neural zoo).
    public var isNeural: Bool { (bases + references + fineTunes.map(\.model)).contains { $0.format == "transformer" } }

    /// Loads one model file of this zoo; a transformer (a neural zoo's) is refused with the way
    /// to it: a worker serves it (`Workflow.ZooModels`).
    public static func loadModel(_ record: ModelRecord, directory: URL) throws -> NGramLanguageModel {
        guard record.format == nil else {
            throw SimulationError.badManifest(path: directory.path, reason: "\(record.name) is a \(record.format!) (a neural zoo): a worker serves it, and this step takes n-gram zoos only")
        }
        return try NGramLanguageModel(contentsOf: directory.appendingPathComponent("models").appendingPathComponent(record.file))
    }
}

/// Errors of the simulated challenge, as sentences.
public enum SimulationError: Error, Sendable, Equatable, CustomStringConvertible {
    case badManifest(path: String, reason: String)
    case unknownModel(id: Int, count: Int)
    case corpus(name: String, reason: String)

    public var description: String {
        switch self {
        case let .badManifest(path, reason): "Zoo manifest \(path) cannot be read: \(reason)."
        case let .unknownModel(id, count): "No fine-tuned model \(id): this zoo has ids 0..<\(count)."
        case let .corpus(name, reason): "Corpus '\(name)' is unavailable: \(reason)."
        }
    }
}

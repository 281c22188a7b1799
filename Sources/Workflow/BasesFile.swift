import Engine
import Foundation
import LanguageModels
import Simulation

/// The candidate bases of a run, read from a JSON file:
///
///     {"decoding": {"temperature": 3.0, "maxTotalTokens": 20},
///      "bases": [{"name": "gpt2", "model": "models/gpt2.ngram"}, ...],
///      "none": [{"name": "reference-bpe", "model": "reference-bpe.ngram"}, ...]}
///
/// `decoding` fields default to MLMAC's; `none` lists the reference models whose equal
/// mixture is the `None` hypothesis; it is optional (without it `None` is no
/// hypothesis); model paths are relative to the file. A zoo's `manifest.json` does not fit:
/// `attrib demo` writes a bases file next to it.
public struct BasesFile: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var name: String
        public var model: String
        public init(name: String, model: String) {
            self.name = name
            self.model = model
        }
    }

    public var decoding: DecodingSpec?
    public var bases: [Entry]
    public var none: [Entry]?

    public init(decoding: DecodingSpec?, bases: [Entry], none: [Entry]?) {
        self.decoding = decoding
        self.bases = bases
        self.none = none
    }

    /// The API's decoding settings: MLMAC's with this file's overrides.
    public var settings: DecodingSettings { decoding?.applied(to: .mlmac) ?? .mlmac }

    /// Reads and checks a bases file.
    public static func load(path: String) throws -> BasesFile {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw WorkflowError.invalid(file: path, field: "(file)", reason: "cannot be read: \(error.localizedDescription)")
        }
        let file: BasesFile
        do { file = try JSONDecoder().decode(BasesFile.self, from: data) } catch let DecodingError.keyNotFound(key, ctx) {
            throw WorkflowError.invalid(file: path, field: (ctx.codingPath + [key]).map(\.stringValue).joined(separator: "."), reason: "is missing")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw WorkflowError.invalid(file: path, field: ctx.codingPath.map(\.stringValue).joined(separator: "."), reason: "has the wrong type")
        } catch {
            throw WorkflowError.invalid(file: path, field: "(file)", reason: "is not valid JSON: \(error)")
        }
        guard !file.bases.isEmpty else { throw WorkflowError.invalid(file: path, field: "bases", reason: "lists no base model") }
        var seen = Set<String>()
        for (k, b) in file.bases.enumerated() {
            guard !b.name.isEmpty, b.name != "None" else {
                throw WorkflowError.invalid(file: path, field: "bases.\(k).name", reason: "must be a non-empty name other than None")
            }
            guard seen.insert(b.name).inserted else {
                throw WorkflowError.invalid(file: path, field: "bases.\(k).name", reason: "\"\(b.name)\" is listed twice")
            }
        }
        return file
    }

    /// Loads every model; paths are resolved against `directory` (the file's folder).
    public func hypothesisModels(directory: URL) throws -> HypothesisModels {
        func load(_ entry: Entry, field: String) throws -> (NGramLanguageModel, String) {
            // Relative to the folder itself, even when its URL lacks a trailing slash (a folder
            // that did not exist yet when the URL was made).
            let url = URL(fileURLWithPath: entry.model, relativeTo: URL(fileURLWithPath: directory.path, isDirectory: true))
            do {
                let model = try NGramLanguageModel(contentsOf: url)
                return (model, model.contentHash)
            } catch {
                throw WorkflowError.invalid(file: directory.path, field: field, reason: "model \(url.path) cannot be loaded: \(error)")
            }
        }
        let bases = try self.bases.enumerated().map { k, b -> (name: String, model: any LanguageModel, identity: String) in
            let (m, id) = try load(b, field: "bases.\(k).model")
            return (b.name, m, id)
        }
        let none = try (self.none ?? []).enumerated().map { k, entry -> (model: any LanguageModel, identity: String) in
            let (m, id) = try load(entry, field: "none.\(k).model")
            return (m, id)
        }
        return HypothesisModels(bases: bases, none: none, settings: settings)
    }
}

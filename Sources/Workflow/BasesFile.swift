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
/// hypothesis); model paths are relative to the file. Any entry may name a `drift` model
/// (same tokenizer as its `model`): the contextual drift model of the observation model
/// (`HypothesisModel.driftModel`), for example a bigram of generic text. A zoo's
/// `manifest.json` does not fit: `attrib demo` writes a bases file next to it.
public struct BasesFile: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var name: String
        public var model: String
        /// Optional contextual drift model, sharing `model`'s tokenizer.
        public var drift: String?
        public init(name: String, model: String, drift: String? = nil) {
            self.name = name
            self.model = model
            self.drift = drift
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

    /// The same file with every `drift` entry dropped (the fixed background instead).
    public var withoutDrift: BasesFile {
        var copy = self
        copy.bases = bases.map { Entry(name: $0.name, model: $0.model) }
        copy.none = none?.map { Entry(name: $0.name, model: $0.model) }
        return copy
    }

    /// The API's decoding settings: MLMAC's with this file's overrides.
    public var settings: DecodingSettings { decoding?.applied(to: .mlmac) ?? .mlmac }

    /// Reads and checks a bases file.
    public static func load(path: String) throws -> BasesFile {
        let file = try decodeJSONFile(BasesFile.self, path: path)
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
        let bases = try self.bases.enumerated().map { k, b -> (name: String, model: any LanguageModel, identity: String) in
            let m = try Self.loadModel(b.model, directory: directory, field: "bases.\(k).model")
            return (b.name, m, m.contentHash)
        }
        let none = try (self.none ?? []).enumerated().map { k, entry -> (model: any LanguageModel, identity: String) in
            let m = try Self.loadModel(entry.model, directory: directory, field: "none.\(k).model")
            return (m, m.contentHash)
        }
        return try attachingDrift(to: HypothesisModels(bases: bases, none: none, settings: settings), directory: directory)
    }

    /// `models` (loaded from this file's `model` entries, in order) with the `drift` models
    /// its entries name attached; a drift file named by several entries is loaded once.
    public func attachingDrift(to models: HypothesisModels, directory: URL) throws -> HypothesisModels {
        let entries = bases.enumerated().map { ($1, "bases.\($0).drift") } + (none ?? []).enumerated().map { ($1, "none.\($0).drift") }
        guard entries.contains(where: { $0.0.drift != nil }) else { return models }
        var loaded: [String: NGramLanguageModel] = [:]
        return try models.withDriftModels { k, hm in
            guard k < entries.count, let path = entries[k].0.drift else { return nil }
            let field = entries[k].1
            let drift = try loaded[path] ?? Self.loadModel(path, directory: directory, field: field)
            loaded[path] = drift
            guard drift.tokenizer.identifier == hm.model.tokenizer.identifier else {
                throw WorkflowError.invalid(file: directory.path, field: field, reason:
                    "drift model \(path) has tokenizer \(drift.tokenizer.identifier), but \(hm.name)'s model has \(hm.model.tokenizer.identifier)")
            }
            return (drift, drift.contentHash)
        }
    }

    static func loadModel(_ path: String, directory: URL, field: String) throws -> NGramLanguageModel {
        // Relative to the folder itself, even when its URL lacks a trailing slash (a folder
        // that did not exist yet when the URL was made).
        let url = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: directory.path, isDirectory: true))
        do {
            return try NGramLanguageModel(contentsOf: url)
        } catch {
            throw WorkflowError.invalid(file: directory.path, field: field, reason: "model \(url.path) cannot be loaded: \(error)")
        }
    }
}

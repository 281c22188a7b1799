import Common
import Engine
import Foundation
import LanguageModels
import ServerModels
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
///
/// An entry names either a `model` file (an embedded n-gram model) or a `worker`: a model on
/// attrib's model worker (`attrib worker`, `worker/README.md`), by the worker's model name
/// (default: the entry's name), with optional further `replicas` serving the same model and
/// `concurrency` (requests in flight per replica, default 2):
///
///     {"name": "smollm2", "worker": {"url": "http://127.0.0.1:8601", "model": "smollm2"},
///      "replicas": [{"url": "http://127.0.0.1:8611"}], "concurrency": 2}
///
/// Both kinds mix freely in one file. A `server` entry (llama.cpp's inference server, one
/// position per request) is refused with a sentence: the worker replaced it.
public struct BasesFile: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var name: String
        /// An embedded model file, relative to the bases file.
        public var model: String?
        /// Optional contextual drift model, sharing `model`'s tokenizer (embedded models only).
        public var drift: String?
        /// Retired (llama.cpp's server): read only to be refused with the way to the worker.
        public var server: ServerEndpoint?
        /// The first model worker of a model on workers.
        public var worker: ServerEndpoint?
        /// Further servers (or workers) of the same model.
        public var replicas: [ServerEndpoint]?
        /// Requests in flight per replica.
        public var concurrency: Int?

        public init(name: String, model: String? = nil, drift: String? = nil, server: ServerEndpoint? = nil,
                    worker: ServerEndpoint? = nil, replicas: [ServerEndpoint]? = nil, concurrency: Int? = nil) {
            self.worker = worker
            self.name = name
            self.model = model
            self.drift = drift
            self.server = server
            self.replicas = replicas
            self.concurrency = concurrency
        }

        /// Every endpoint of a model on workers, the first one first.
        var endpoints: [ServerEndpoint] { worker.map { [$0] + (replicas ?? []) } ?? [] }
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
        copy.bases = bases.map { var e = $0; e.drift = nil; return e }
        copy.none = none?.map { var e = $0; e.drift = nil; return e }
        return copy
    }

    /// The API's decoding settings: MLMAC's with this file's overrides.
    public var settings: DecodingSettings { decoding?.applied(to: .mlmac) ?? .mlmac }

    /// These settings with the length limit of a completions API: `newTokens` new tokens,
    /// whatever the prompt's length (OpenAI's `max_tokens`).
    public func settings(newTokens: Int) -> DecodingSettings {
        var s = settings
        s.maxTotalTokens = nil
        s.maxNewTokens = newTokens
        return s
    }

    /// Reads and checks a bases file.
    public static func load(path: String) throws -> BasesFile {
        let file = try decodeJSONFile(BasesFile.self, path: path)
        guard !file.bases.isEmpty else { throw AttribError.invalid(file: path, field: "bases", reason: "lists no base model") }
        if let p = file.decoding?.problems().first { throw AttribError.invalid(file: path, field: "decoding.\(p.field)", reason: p.reason) }
        var seen = Set<String>()
        let entries = file.bases.enumerated().map { ($1, "bases.\($0)") } + (file.none ?? []).enumerated().map { ($1, "none.\($0)") }
        for (entry, field) in entries {
            if entry.server != nil {
                throw AttribError.invalid(file: path, field: "\(field).server", reason:
                    "llama.cpp's server (one position per request) is no longer supported: serve the model with "
                    + "`attrib worker --model \(entry.name)=MODEL.gguf --port P` and name it as \"worker\": {\"url\": \"http://127.0.0.1:P\"}")
            }
            let kinds = [entry.model == nil ? nil : "\"model\" file", entry.worker == nil ? nil : "\"worker\""].compactMap { $0 }
            guard kinds.count == 1 else {
                throw AttribError.invalid(file: path, field: field, reason: kinds.isEmpty
                    ? "names neither a \"model\" file nor a \"worker\""
                    : "names \(kinds.joined(separator: " and ")); choose one")
            }
            if entry.model != nil {
                if entry.replicas != nil || entry.concurrency != nil {
                    throw AttribError.invalid(file: path, field: field, reason: "\"replicas\" and \"concurrency\" apply to a \"worker\" entry only")
                }
            } else {
                if entry.drift != nil {
                    throw AttribError.invalid(file: path, field: "\(field).drift", reason: "a model on a worker takes no drift model file")
                }
                if let c = entry.concurrency, c < 1 {
                    throw AttribError.invalid(file: path, field: "\(field).concurrency", reason: "must be at least 1, not \(c)")
                }
                for (r, endpoint) in entry.endpoints.enumerated() where !(endpoint.url.hasPrefix("http://") || endpoint.url.hasPrefix("https://")) {
                    let name = r == 0 ? "\(field).worker.url" : "\(field).replicas.\(r - 1).url"
                    throw AttribError.invalid(file: path, field: name, reason: "\"\(endpoint.url)\" is not an http(s) URL")
                }
            }
        }
        for (k, b) in file.bases.enumerated() {
            guard !b.name.isEmpty, b.name != "None" else {
                throw AttribError.invalid(file: path, field: "bases.\(k).name", reason: "must be a non-empty name other than None")
            }
            guard seen.insert(b.name).inserted else {
                throw AttribError.invalid(file: path, field: "bases.\(k).name", reason: "\"\(b.name)\" is listed twice")
            }
        }
        return file
    }

    /// Loads every model; paths are resolved against `directory` (the file's folder).
    /// `settings` replaces the file's decoding (a run against an OpenAI-compatible API sets
    /// the new-token limit it asks for).
    public func hypothesisModels(directory: URL, settings: DecodingSettings? = nil) throws -> HypothesisModels {
        let settings = settings ?? self.settings
        let bases = try self.bases.enumerated().map { k, b -> (name: String, model: any LanguageModel, identity: String) in
            let m = try Self.load(b, directory: directory, field: "bases.\(k)")
            return (b.name, m.model, m.identity)
        }
        let none = try (self.none ?? []).enumerated().map { k, entry -> (model: any LanguageModel, identity: String) in
            try Self.load(entry, directory: directory, field: "none.\(k)")
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
                throw AttribError.invalid(file: directory.path, field: field, reason:
                    "drift model \(path) has tokenizer \(drift.tokenizer.identifier), but \(hm.name)'s model has \(hm.model.tokenizer.identifier)")
            }
            return (drift, drift.contentHash)
        }
    }

    /// The `bases` entries' models alone, in order (what `attrib serve --suspects` serves).
    public func baseModels(directory: URL) throws -> [(name: String, model: any LanguageModel)] {
        try bases.enumerated().map { k, b in (b.name, try Self.load(b, directory: directory, field: "bases.\(k)").model) }
    }

    /// One entry's model and identity: its file, or a connection to its workers.
    static func load(_ entry: Entry, directory: URL, field: String, patience: Double = 300) throws -> (model: any LanguageModel, identity: String) {
        if let path = entry.model {
            let m = try loadModel(path, directory: directory, field: "\(field).model")
            return (m, m.contentHash)
        }
        guard let worker = entry.worker else {
            throw AttribError.invalid(file: directory.path, field: field, reason: "names neither a \"model\" file nor a \"worker\"")
        }
        let replicas = ReplicaSet(endpoints: entry.endpoints, concurrencyPerReplica: entry.concurrency ?? 2, patience: patience)
        do {
            let m = try WorkerLanguageModel.connect(replicas, name: worker.model.isEmpty ? entry.name : worker.model)
            return (m, m.identity)
        } catch {
            throw AttribError.invalid(file: directory.path, field: "\(field).worker", reason: "\(error)")
        }
    }

    static func loadModel(_ path: String, directory: URL, field: String) throws -> NGramLanguageModel {
        // Relative to the folder itself, even when its URL lacks a trailing slash (a folder
        // that did not exist yet when the URL was made).
        let url = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: directory.path, isDirectory: true))
        do {
            return try NGramLanguageModel(contentsOf: url)
        } catch {
            throw AttribError.invalid(file: directory.path, field: field, reason: "model \(url.path) cannot be loaded: \(error)")
        }
    }
}

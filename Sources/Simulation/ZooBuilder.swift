import Common
import Corpora
import Foundation
import LanguageModels

/// Builds every model of a `ZooSpec` into a directory, with a content-addressed cache: each
/// model file is named by a hash of its full recipe (including its parents' recipes, the seed
/// and the model-file format), so an unchanged model is never rebuilt and a changed recipe
/// never reuses a stale file. Deterministic: the same spec gives byte-identical files.
public struct ZooBuilder {
    /// Supplies a corpus by name (the real one: `Corpus.load(name)`; tests: in-memory text).
    public typealias CorpusProvider = (String) throws -> Corpus

    public let spec: ZooSpec
    let corpora: CorpusProvider
    /// Default bytes of the train split for a trained model, and of the finetune split for a domain.
    public static let defaultTrainBytes = 600_000
    public static let defaultDomainBytes = 150_000
    static let cacheVersion = "zoo-v2"  // v2: word tokenizer segments unknown words

    public init(spec: ZooSpec, corpora: @escaping CorpusProvider) {
        self.spec = spec
        self.corpora = corpora
    }

    /// Outcome of a build: the manifest plus which models were built and which reused.
    public struct Report: Sendable {
        public var manifest: ZooManifest
        /// Names of the models built in this run (the rest came from the cache).
        public var built: [String]
        public var seconds: Double
        public init(manifest: ZooManifest, built: [String], seconds: Double) {
            self.manifest = manifest
            self.built = built
            self.seconds = seconds
        }
    }

    /// Builds (or reuses) every model, writes `directory/models/*` and `directory/manifest.json`.
    public func build(into directory: URL, log: @escaping (String) -> Void = { _ in }) throws -> Report {
        let start = Date()
        let modelsDirectory = directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: modelsDirectory, withIntermediateDirectories: true)
        var state = BuildState(spec: spec, corpora: corpora, directory: modelsDirectory, log: log)

        let bases = try spec.bases.map { try state.record(for: $0.name) }
        let references = try (spec.references ?? []).map { try state.record(for: $0.name) }
        let order = Self.publicOrder(count: spec.fineTunes.count, seed: spec.seed)
        let defaults = (spec.decoding ?? DecodingSpec()).applied(to: .mlmac)
        var fineTunes: [ZooManifest.FineTuneRecord] = []
        var answers: [ZooManifest.AnswerKeyEntry] = []
        let candidateNames = Set(spec.bases.map(\.name))
        for (id, index) in order.enumerated() {
            let fineTune = spec.fineTunes[index]
            let record = try state.fineTuneRecord(fineTune)
            var settings = (fineTune.decoding ?? DecodingSpec()).applied(to: defaults)
            settings.seed = 0
            fineTunes.append(.init(id: id, model: record, decoding: settings))
            answers.append(.init(
                id: id, base: candidateNames.contains(fineTune.base) ? fineTune.base : nil, parent: fineTune.base,
                domain: fineTune.domain, strength: fineTune.strength))
        }
        let manifest = ZooManifest(
            name: spec.name, seed: spec.seed, decoding: defaults, bases: bases, references: references,
            fineTunes: fineTunes, answerKey: answers)
        let data = try manifest.encoded()
        try data.write(to: directory.appendingPathComponent("manifest.json"), options: .atomic)
        return Report(manifest: manifest, built: state.built, seconds: Date().timeIntervalSince(start))
    }

    /// Public ids: a seeded Fisher-Yates shuffle of the spec's fine-tunes (own implementation,
    /// so the order cannot change with the standard library's shuffle).
    public static func publicOrder(count: Int, seed: UInt64) -> [Int] {
        var order = Array(0..<count)
        var generator = SeededGenerator(seed: seed).derived("public-ids")
        guard count > 1 else { return order }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(generator.next() % UInt64(i + 1))
            order.swapAt(i, j)
        }
        return order
    }
}

/// Mutable bookkeeping of one build: loaded corpora, models in memory, recipe keys.
struct BuildState {
    let spec: ZooSpec
    let corpora: ZooBuilder.CorpusProvider
    let directory: URL
    let log: (String) -> Void
    var specs: [String: ModelSpec] = [:]
    var corpusCache: [String: Corpus] = [:]
    var models: [String: NGramLanguageModel] = [:]
    var keys: [String: String] = [:]
    var built: [String] = []

    init(spec: ZooSpec, corpora: @escaping ZooBuilder.CorpusProvider, directory: URL, log: @escaping (String) -> Void) {
        self.spec = spec
        self.corpora = corpora
        self.directory = directory
        self.log = log
        for model in spec.bases + (spec.references ?? []) { specs[model.name] = model }
    }

    mutating func corpus(_ name: String) throws -> Corpus {
        if let cached = corpusCache[name] { return cached }
        let corpus: Corpus
        do {
            corpus = try corpora(name)
        } catch {
            throw SimulationError.corpus(name: name, reason: "\(error)")
        }
        corpusCache[name] = corpus
        return corpus
    }

    mutating func documents(_ name: String, split: CorpusSplit, maxBytes: Int) throws -> [String] {
        let text = try corpus(name).text(in: split, maxBytes: maxBytes)
        let documents = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        guard !documents.isEmpty else { throw SimulationError.corpus(name: name, reason: "its \(split.rawValue) split is empty") }
        return documents
    }

    func fineTuneSeed(_ name: String) -> UInt64 {
        var hash = StableHash()
        hash.combine(spec.seed)
        hash.combine("fine-tune:" + name)
        return hash.value
    }

    /// The recipe in words; its hash (with the parents' keys) names the cache file.
    mutating func recipe(of name: String) throws -> String {
        let model = specs[name]!
        if let from = model.from {
            let parent = try key(of: from)
            if let domain = model.domain {
                return "derived from \(from) [\(parent)] on \(domain) \(model.domainBytes ?? ZooBuilder.defaultDomainBytes) B, strength \(model.strength!), seed \(fineTuneSeed(name))"
            }
            return "reduced from \(from) [\(parent)] to order \(model.order!)"
        }
        let tokenizer = try model.tokenizer ?? "tokenizer of \(model.tokenizerFrom!) [\(key(of: model.tokenizerFrom!))]"
        return "\(tokenizer) order \(model.order!) on \(model.corpus!), \(model.trainBytes ?? ZooBuilder.defaultTrainBytes) B"
    }

    mutating func key(of name: String) throws -> String {
        if let known = keys[name] { return known }
        var hash = StableHash()
        hash.combine(ZooBuilder.cacheVersion)
        hash.combine(try recipe(of: name))
        keys[name] = hash.hex
        return hash.hex
    }

    func fileName(_ name: String, key: String) -> String {
        let safe = String(name.unicodeScalars.map { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" ? Character($0) : "_" })
        return "\(safe)-\(key).ngram"
    }

    /// The model in memory: loaded from its cache file, or built (parents first) and saved.
    mutating func model(_ name: String) throws -> NGramLanguageModel {
        if let model = models[name] { return model }
        let url = directory.appendingPathComponent(fileName(name, key: try key(of: name)))
        let model: NGramLanguageModel
        if FileManager.default.fileExists(atPath: url.path) {
            model = try NGramLanguageModel(contentsOf: url)
        } else {
            model = try train(name)
            try model.write(to: url)
            built.append(name)
            log("built \(name)")
        }
        models[name] = model
        return model
    }

    private mutating func train(_ name: String) throws -> NGramLanguageModel {
        let spec = specs[name]!
        if let from = spec.from {
            let parent = try model(from)
            if let domain = spec.domain {
                let documents = try documents(domain, split: .finetune, maxBytes: spec.domainBytes ?? ZooBuilder.defaultDomainBytes)
                return try parent.fineTuned(on: documents, strength: spec.strength!, seed: fineTuneSeed(name))
            }
            return try parent.reduced(toOrder: spec.order!)
        }
        let documents = try documents(spec.corpus!, split: .train, maxBytes: spec.trainBytes ?? ZooBuilder.defaultTrainBytes)
        let vocabulary: AnyTokenizer
        if let other = spec.tokenizerFrom {
            vocabulary = try model(other).vocabulary
        } else {
            vocabulary = try AnyTokenizer(training: TokenizerConfiguration(parsing: spec.tokenizer!)!, documents: documents)
        }
        return try NGramLanguageModel(vocabulary: vocabulary, order: spec.order!, documents: documents)
    }

    /// The manifest record of a model; a cached model's record is read from its sidecar
    /// (`<file>.json`), so a fully cached build loads no model at all.
    mutating func record(for name: String) throws -> ZooManifest.ModelRecord {
        let file = try fileName(name, key: key(of: name))
        let sidecar = directory.appendingPathComponent(file + ".json")
        if models[name] == nil, FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path),
           let data = try? Data(contentsOf: sidecar),
           let record = try? JSONDecoder().decode(ZooManifest.ModelRecord.self, from: data) {
            return record
        }
        let model = try model(name)
        let record = try record(name: name, model: model, recipe: recipe(of: name), file: file)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(record).write(to: sidecar, options: .atomic)
        return record
    }

    func record(name: String, model: NGramLanguageModel, recipe: String, file: String) throws -> ZooManifest.ModelRecord {
        let size = (try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(file).path)[.size] as? Int) ?? 0
        return .init(
            name: name, file: file, recipe: recipe, tokenizer: model.tokenizer.identifier,
            vocabularySize: model.tokenizer.vocabularySize, order: model.order, trainingTokens: model.trainingTokenCount,
            distinctNGrams: model.counts.distinctCount, fileBytes: size)
    }

    /// Builds (or reuses) one API fine-tune, registered as a derived model of its base.
    mutating func fineTuneRecord(_ fineTune: FineTuneSpec) throws -> ZooManifest.ModelRecord {
        specs[fineTune.name] = ModelSpec(
            name: fineTune.name, from: fineTune.base, domain: fineTune.domain, domainBytes: fineTune.domainBytes,
            strength: fineTune.strength)
        return try record(for: fineTune.name)
    }
}

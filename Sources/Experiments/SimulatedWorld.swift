import Calibration
import Common
import Corpora
import Engine
import Foundation
import LanguageModels
import Pools
import Simulation
import Workflow

/// A simulated challenge ready for jobs: the built zoo, the default pool and the candidate
/// models (bases, `None` references, contextual drift models), all cached in a working folder.
/// `attrib demo` and `attrib experiment` build it; the simulator serves its fine-tunes.
public struct SimulatedWorld: Sendable {
    /// The corpora the zoo's models are fine-tuned on: text calibration must not use.
    public var fineTuningDomains: Set<String>
    public var manifest: ZooManifest
    public var zooDirectory: URL
    public var pool: PromptPool
    public var models: AttributionJob.Models

    /// This world with every model decoding as `decoding` says: the fine-tunes the simulator
    /// serves (their manifest records) and the candidates alike.
    public func decoded(_ decoding: ExperimentSpec.Decoding) -> SimulatedWorld {
        guard decoding != .zoo else { return self }
        var copy = self
        copy.manifest.decoding = decoding.applied(to: manifest.decoding)
        for k in copy.manifest.fineTunes.indices {
            copy.manifest.fineTunes[k].decoding = decoding.applied(to: manifest.fineTunes[k].decoding)
        }
        copy.models = models.decoding(decoding.applied(to: models.settings))
        return copy
    }

    /// The job's calibration policy: fitted on `text` less the corpora the zoo fine-tunes on.
    public func calibration(_ text: CalibrationText?, cacheDirectory: URL) -> AttributionJob.CalibrationPolicy {
        text.map { .fit($0, excluding: fineTuningDomains, cacheDirectory: cacheDirectory) } ?? .fixed
    }

    /// The zoo (built or cached), the default pool, the `None` references and the contextual
    /// drift models, in the working folder; writes the zoo's bases file there.
    public static func build(zooSpec: URL, workDirectory: URL, poolSize: Int = Demo.defaultPoolSize, poolSpec: URL? = nil, observation: ObservationSettings,
                             corpora: CorpusCache, log: @escaping @Sendable (String) -> Void,
                             ended: (String) -> Void = { _ in }) throws -> SimulatedWorld {
        let fm = FileManager.default
        let knownCorpora = Set(CorpusCatalog.sources.map(\.name))
        let zoo: ZooBuilder.Report, domains: Set<String>
        if NeuralZooSpec.isNeural(zooSpec) {
            // Transformers trained here by the worker's builder, served by one worker (`ZooModels`).
            let spec = try NeuralZooSpec.load(zooSpec)
            zoo = try NeuralZoo.build(spec: zooSpec, into: workDirectory.appendingPathComponent("zoo-\(spec.name)"), corpora: corpora, log: log)
            domains = spec.fineTuningDomains
        } else {
            let spec = try ZooSpec.load(contentsOf: zooSpec, knownCorpora: knownCorpora)
            zoo = try ZooBuilder(spec: spec, corpora: { try corpora.corpus($0) }).build(into: workDirectory.appendingPathComponent("zoo-\(spec.name)"), log: log)
            domains = spec.fineTuningDomains
        }
        let name = zoo.manifest.name
        let zooDirectory = workDirectory.appendingPathComponent("zoo-\(name)")
        log(String(format: "zoo %@: %d bases, %d fine-tunes (%d models built, %.1f s)", name, zoo.manifest.bases.count,
                   zoo.manifest.fineTunes.count, zoo.built.count, zoo.seconds))
        ended("zoo")

        // The pool (built in, or from a pool specification: `Pools`) and the None reference, built once.
        // The default-size pool keeps its first name, so existing working folders stay valid.
        let spec = try poolSpec.map { try PoolSpec.load($0) }
        let poolURL = workDirectory.appendingPathComponent(spec.map { "pool-\($0.name)-\($0.contentHash.prefix(12)).jsonl" }
            ?? (poolSize == Demo.defaultPoolSize ? Demo.defaultPoolFile : "default-pool-\(poolSize).jsonl"))
        if !fm.fileExists(atPath: poolURL.path) {
            if let spec {
                try atomicWrite(Data(try spec.make(corpora: { try corpora.corpus($0) }).jsonl().utf8), to: poolURL)
                log("built pool \(spec.name) (\(spec.size) prompts from \(spec.generators.map(\.kind).joined(separator: ", ")))")
            } else {
                let sources = try NoneReference.sources.map { try corpora.corpus($0) }
                try atomicWrite(Data(DefaultPool.make(corpora: sources, count: poolSize).jsonl().utf8), to: poolURL)
                log("built the default pool (\(poolSize) prompts)")
            }
        }
        // File names carry the recipe, so a changed recipe never reuses a stale model.
        let noneFiles = NoneReference.recipes.map { "\($0.name)-o\($0.order)-\(NoneReference.bytesPerCorpus).ngram" }
        if noneFiles.contains(where: { !fm.fileExists(atPath: workDirectory.appendingPathComponent($0).path) }) {
            let sources = try NoneReference.sources.map { try corpora.corpus($0) }
            for (file, (_, model)) in zip(noneFiles, try NoneReference.train(corpora: sources)) {
                try model.write(to: workDirectory.appendingPathComponent(file))
            }
            log("built the None reference models")
        }
        let pool = try PromptPool.load(path: poolURL.path)
        ended("references")

        // The bases file of this zoo, with a contextual drift model per tokenizer (cached files).
        let d = zoo.manifest.decoding
        var basesFile = BasesFile(
            decoding: DecodingSpec(temperature: d.temperature, topK: d.topK, topP: d.topP, maxNewTokens: d.maxNewTokens,
                                   maxTotalTokens: d.maxTotalTokens, minNewTokens: d.minNewTokens),
            bases: try zoo.manifest.bases.map { try ZooModels.basesEntry($0, manifest: zoo.manifest, directory: zooDirectory) },
            none: noneFiles.map { .init(name: "None", model: $0) })
        var models = try basesFile.hypothesisModels(directory: workDirectory)
        if observation.contextualDrift {
            let (file, trained) = try NoneReference.withDriftFiles(basesFile, models: models, directory: workDirectory,
                                                                          order: observation.driftOrder) {
                NoneReference.documents(corpora: try NoneReference.sources.map { try corpora.corpus($0) })
            }
            basesFile = file
            models = try basesFile.attachingDrift(to: models, directory: workDirectory)
            if trained > 0 { log("trained \(trained) contextual drift models") }
        }
        ended("drift_models")
        let encoder = attribJSONEncoder(pretty: true)
        let basesURL = workDirectory.appendingPathComponent("bases-\(name).json")
        try atomicWrite(try encoder.encode(basesFile), to: basesURL)

        return SimulatedWorld(fineTuningDomains: domains, manifest: zoo.manifest, zooDirectory: zooDirectory, pool: pool, models: models)
    }
}

import Corpora
import Engine
import Foundation
import LanguageModels
import Oracles
import Simulation
import SimulatorServer

/// `attrib demo`: the main job on the embedded default. Builds the zoo (cached), the `None`
/// reference and the default pool (cached), starts the simulator server on a free loopback
/// port, runs the attribution over real HTTP with EIG selection and again with random
/// selection (the baseline, same stopping rule), and scores both against the answer key.
public struct Demo: Sendable {
    public var zooSpec: URL
    /// Where the zoo, pool, reference model, store and journals live (`.cache/demo`).
    public var workDirectory: URL
    public var settings: EngineSettings
    /// Seed of the server's sampling of fine-tune responses.
    public var responseSeed: UInt64
    public var runBaseline = true
    /// Prompts in the built-in pool.
    public var poolSize = Demo.defaultPoolSize
    public static let defaultPoolSize = 64
    /// The text calibration models are fine-tuned on, to fit beta and the answer cap before the
    /// runs; nil: no calibration (`settings.beta` and `settings.answerCap` are used).
    public var calibrationText: CalibrationText? = .builtIn

    public init(zooSpec: URL, workDirectory: URL, settings: EngineSettings, responseSeed: UInt64) {
        let workDirectory = URL(fileURLWithPath: workDirectory.path, isDirectory: true)
        self.zooSpec = zooSpec
        self.workDirectory = workDirectory
        self.settings = settings
        self.responseSeed = responseSeed
    }

    /// Sources used for the default pool and the `None` reference (the two large
    /// dictionaries are left out: they take tens of seconds to clean).
    public static let poolSources = CorpusCatalog.sources.map(\.name).filter { $0 != "gcide" && $0 != "wordnet" }

    public struct Outcome: Sendable {
        public var manifest: ZooManifest
        public var eig: LiveRun.Outcome
        public var eigScore: Score
        public var baseline: LiveRun.Outcome?
        public var baselineScore: Score?
        public var seconds: Double
    }

    public func execute(log: @escaping @Sendable (String) -> Void,
                        precomputeProgress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> Outcome {
        let start = Date()
        let fm = FileManager.default
        try fm.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        let lock = try DirectoryLock(directory: workDirectory)
        defer { withExtendedLifetime(lock) {} }
        let knownCorpora = Set(CorpusCatalog.sources.map(\.name))
        let spec = try ZooSpec.load(contentsOf: zooSpec, knownCorpora: knownCorpora)
        let zooDirectory = workDirectory.appendingPathComponent("zoo-\(spec.name)")
        let corpora = CorpusCache()
        let zoo = try ZooBuilder(spec: spec, corpora: { try corpora.corpus($0) }).build(into: zooDirectory, log: log)
        log(String(format: "zoo %@: %d bases, %d fine-tunes (%d models built, %.1f s)", spec.name, zoo.manifest.bases.count,
                   zoo.manifest.fineTunes.count, zoo.built.count, zoo.seconds))

        // The default pool and the None reference, built once.
        // The default-size pool keeps its first name, so existing working folders stay valid.
        let poolURL = workDirectory.appendingPathComponent(poolSize == Self.defaultPoolSize ? "default-pool.jsonl" : "default-pool-\(poolSize).jsonl")
        // File names carry the recipe, so a changed recipe never reuses a stale model.
        let noneFiles = NoneReference.recipes.map { "\($0.name)-o\($0.order)-\(NoneReference.bytesPerCorpus).ngram" }
        if !fm.fileExists(atPath: poolURL.path) {
            let sources = try Self.poolSources.map { try corpora.corpus($0) }
            try atomicWrite(Data(DefaultPool.make(corpora: sources, count: poolSize).jsonl().utf8), to: poolURL)
            log("built the default pool (\(poolSize) prompts)")
        }
        if noneFiles.contains(where: { !fm.fileExists(atPath: workDirectory.appendingPathComponent($0).path) }) {
            let sources = try Self.poolSources.map { try corpora.corpus($0) }
            for (file, (_, model)) in zip(noneFiles, try NoneReference.train(corpora: sources)) {
                try model.write(to: workDirectory.appendingPathComponent(file))
            }
            log("built the None reference models")
        }
        let pool = try PromptPool.load(path: poolURL.path)

        // The bases file of this zoo, with a contextual drift model per tokenizer (cached files).
        let d = zoo.manifest.decoding
        var basesFile = BasesFile(
            decoding: DecodingSpec(temperature: d.temperature, topK: d.topK, topP: d.topP, maxNewTokens: d.maxNewTokens,
                                   maxTotalTokens: d.maxTotalTokens, minNewTokens: d.minNewTokens),
            bases: zoo.manifest.bases.map { .init(name: $0.name, model: "zoo-\(spec.name)/models/\($0.file)") },
            none: noneFiles.map { .init(name: "None", model: $0) })
        var models = try basesFile.hypothesisModels(directory: workDirectory)
        if settings.contextualDrift {
            let (file, trained) = try NoneReference.withDriftFiles(basesFile, models: models, directory: workDirectory,
                                                                          order: settings.driftOrder) {
                NoneReference.documents(corpora: try Self.poolSources.map { try corpora.corpus($0) })
            }
            basesFile = file
            models = try basesFile.attachingDrift(to: models, directory: workDirectory)
            if trained > 0 { log("trained \(trained) contextual drift models") }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let basesURL = workDirectory.appendingPathComponent("bases-\(spec.name).json")
        try atomicWrite(try encoder.encode(basesFile), to: basesURL)

        // Answers are scored with domain drift when asked: a library of held-out text of every pool corpus.
        var scoringModels = models
        if settings.domainDrift {
            let domains = try NoneReference.driftDomains(Self.poolSources) { try corpora.corpus($0) }
            scoringModels = try models.withDomainDrift(domains: domains)
            log("trained domain drift models (\(domains.count) domains)")
        }

        // Calibrate beta on fine-tunes of known provenance built for calibration only.
        var settings = self.settings
        var calibration: Calibration?
        if let calibrationText {
            // Never the text the zoo's models were fine-tuned on.
            let domains = try calibrationText.documents(corpus: { try corpora.corpus($0) }, excluding: spec.fineTuningDomains)
            let (fitted, cached) = try Calibration.apply(to: &settings, cacheDirectory: workDirectory, models: scoringModels,
                                                         pool: pool, domains: domains)
            calibration = fitted
            log(fitted.summary(cached: cached))
        }

        // The simulator on a free loopback port, with a fresh token.
        var rng = SystemRandomNumberGenerator()
        let secret = "demo-" + String(rng.next(), radix: 36) + String(rng.next(), radix: 36)
        let responder = try ZooResponder(manifest: zoo.manifest, directory: zooDirectory, seed: responseSeed)
        let server = try await SimulatorServer.start(responder: responder, tokens: TokenRegistry(tokens: [secret: "demo"]), log: { _ in })
        log("simulator listening on \(server.baseURL)")
        let token = try APIToken(secret, source: "the demo token")
        let ids = Array(0..<zoo.manifest.fineTunes.count)
        let answerKey = Dictionary(uniqueKeysWithValues: zoo.manifest.answerKey.map { ($0.id, $0.base) })

        func live(_ strategy: String) async throws -> LiveRun.Outcome {
            var s = settings
            s.strategy = strategy
            let journal = workDirectory.appendingPathComponent("journal-\(strategy).sqlite")
            for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: journal.path + suffix) }
            var run = LiveRun(apiURL: server.baseURL, token: token, models: models, pool: pool, settings: s, modelIDs: ids,
                              storePath: workDirectory.appendingPathComponent("store.sqlite").path,
                              journalPath: journal.path, runID: "demo-\(strategy)-\(settings.seed)")
            run.calibration = calibration
            run.scoringModels = scoringModels
            return try await run.execute(log: log, precomputeProgress: precomputeProgress)
        }
        let eig: LiveRun.Outcome
        var baseline: LiveRun.Outcome?
        do {
            eig = try await live(settings.strategy)
            if runBaseline { baseline = try await live("random") }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        try eig.report.write(to: workDirectory.appendingPathComponent("out-\(settings.strategy)"))
        try baseline?.report.write(to: workDirectory.appendingPathComponent("out-random"))
        let eigScore = Score(models: eig.report.models, answerKey: answerKey)
        let baselineScore = baseline.map { Score(models: $0.report.models, answerKey: answerKey) }
        return Outcome(manifest: zoo.manifest, eig: eig, eigScore: eigScore, baseline: baseline, baselineScore: baselineScore,
                       seconds: Date().timeIntervalSince(start))
    }
}

/// Loads each corpus once per process (cleaning the large ones takes seconds).
final class CorpusCache: @unchecked Sendable {
    private var loaded: [String: Corpus] = [:]
    private let lock = NSLock()

    func corpus(_ name: String) throws -> Corpus {
        lock.lock(); defer { lock.unlock() }
        if let c = loaded[name] { return c }
        let c = try Corpus.load(name)
        loaded[name] = c
        return c
    }
}

import AttributionCore
import Calibration
import Common
import Corpora
import Engine
import Foundation
import LanguageModels
import Oracles
import Simulation
import SimulatorServer
import Workflow

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
    /// The built-in pool's file in a working folder (written by `SimulatedWorld`, read by `attrib zoo explain` and `ceiling`).
    public static let defaultPoolFile = "default-pool.jsonl"
    /// The text calibration models are fine-tuned on, to fit beta and the answer cap before the
    /// runs; nil: no calibration (`settings.observation.beta` and `settings.observation.answerCap` are used).
    public var calibrationText: CalibrationText? = .builtIn
    /// Where the zoo, the pool, the references and the jobs load corpora.
    public var corpora = CorpusCache()

    public init(zooSpec: URL, workDirectory: URL, settings: EngineSettings, responseSeed: UInt64) {
        let workDirectory = URL(fileURLWithPath: workDirectory.path, isDirectory: true)
        self.zooSpec = zooSpec
        self.workDirectory = workDirectory
        self.settings = settings
        self.responseSeed = responseSeed
    }

    public struct Outcome: Sendable {
        public var manifest: ZooManifest
        public var eig: AttributionJob.Outcome
        public var eigScore: Score
        public var baseline: AttributionJob.Outcome?
        public var baselineScore: Score?
        public var seconds: Double
        /// Seconds from the start at which each step ended, by step: `zoo`, `references` (pool
        /// and None models), `drift_models`, `prepare` (calibration and precompute), `eig_run`,
        /// `baseline_run`. For scripts that time the demo (`scripts/cold-demo.sh`).
        public var stepEnds: [String: Double]
    }

    /// Builds what the job needs (zoo, pool, None references, bases file), then runs the
    /// job against the simulated zoo twice: with the settings' strategy and with random
    /// selection. `events` receives the steps and every answer.
    public func execute(events: @escaping @Sendable (JobEvent) -> Void) async throws -> Outcome {
        let log: @Sendable (String) -> Void = { events(.step($0)) }
        let start = Date()
        var stepEnds: [String: Double] = [:]
        func ended(_ step: String) { stepEnds[step] = Date().timeIntervalSince(start) }
        let fm = FileManager.default
        try fm.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        let lock = try DirectoryLock(directory: workDirectory)
        defer { withExtendedLifetime(lock) {} }
        var settings = self.settings
        if NeuralZooSpec.isNeural(zooSpec) && settings.observation.contextualDrift {
            // Said, not skipped: the contextual drift models are n-grams in each base's tokenizer.
            settings.observation.contextualDrift = false
            log("contextual drift: off (its drift models are n-grams in each base's tokenizer; a neural zoo's bases are transformers on a worker)")
        }
        let world = try SimulatedWorld.build(zooSpec: zooSpec, workDirectory: workDirectory, poolSize: poolSize,
                                             observation: settings.observation, corpora: corpora, log: log, ended: ended)

        // The job: calibrated on text the zoo's models were never fine-tuned on.
        var job = AttributionJob(models: world.models, pool: world.pool, settings: settings,
                                 calibration: world.calibration(calibrationText, cacheDirectory: workDirectory),
                                 storePath: workDirectory.appendingPathComponent("store.sqlite").path)
        job.corpora = corpora
        let prepared = try job.prepare(events: events)
        ended("prepare")
        let source = OracleSource.simulatedZoo(manifest: world.manifest, directory: world.zooDirectory, responseSeed: responseSeed)
        let ids = Array(0..<world.manifest.fineTunes.count)
        let answerKey = world.manifest.truth

        // One simulator for both runs: the EIG run, then the random baseline.
        func run(_ strategy: StrategyKind, on opened: OpenedOracle) async throws -> AttributionJob.Outcome {
            let journal = workDirectory.appendingPathComponent("journal-\(strategy.rawValue).sqlite")
            for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: journal.path + suffix) }
            var job = prepared
            job.settings.scheduling.strategy = strategy
            let outcome = try await job.run(on: opened, journal: JournalSpec(path: journal.path, runID: "demo-\(strategy.rawValue)-\(settings.seed)"),
                                            modelIDs: ids, events: events)
            try outcome.report.write(to: workDirectory.appendingPathComponent("out-\(strategy.rawValue)"))
            return outcome
        }
        let (eig, baseline) = try await source.using(concurrency: settings.scheduling.concurrency) { opened in
            log("asking \(opened.description)")
            let eig = try await run(settings.scheduling.strategy, on: opened)
            ended("eig_run")
            guard runBaseline else { return (eig, AttributionJob.Outcome?.none) }
            let baseline = try await run(.random, on: opened)
            ended("baseline_run")
            return (eig, Optional(baseline))
        }
        let eigScore = Score(models: eig.report.models, answerKey: answerKey)
        let baselineScore = baseline.map { Score(models: $0.report.models, answerKey: answerKey) }
        return Outcome(manifest: world.manifest, eig: eig, eigScore: eigScore, baseline: baseline, baselineScore: baselineScore,
                       seconds: Date().timeIntervalSince(start), stepEnds: stepEnds)
    }
}

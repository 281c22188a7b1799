import AttributionCore
import Calibration
import Common
import Engine
import Foundation
import Oracles
import Storage

/// One attribution job, whatever answers its queries: calibrate → precompute → run → report.
///
/// `attrib run`, `attrib demo` and `attrib precompute` are thin callers: they build the
/// inputs (bases, pool, settings, calibration policy, store) and hand the job an oracle
/// source (`OracleSource`). `prepare` does the first two steps once; `Prepared.run` can then
/// run against several oracles or with several strategies (the demo's EIG run and its random
/// baseline share one calibration and one bank).
public struct AttributionJob: Sendable {
    /// The candidate bases of a job, each with its models (the type callers load bases files into).
    public typealias Models = HypothesisModels

    /// Candidate bases (and `None` references) with the drift models their bases file names.
    public var models: HypothesisModels
    public var pool: PromptPool
    public var settings: EngineSettings
    public var calibration: CalibrationPolicy
    /// The response-distribution store (SQLite); nil computes every tensor.
    public var storePath: String?
    /// Where calibration and domain drift load corpora (share one across jobs of one process).
    public var corpora = CorpusCache()

    /// Where beta and the answer cap come from.
    public enum CalibrationPolicy: Sendable, Equatable {
        /// `settings.observation.beta` and `settings.observation.answerCap` as given.
        case fixed
        /// Fitted on calibration models fine-tuned toward `text` (less the corpora in
        /// `excluding`), cached in `cacheDirectory` under the fit's fingerprint. A fixed
        /// `settings.observation.answerCap` is kept, and beta is fitted at it.
        case fit(CalibrationText, excluding: Set<String>, cacheDirectory: URL)
    }

    public init(models: HypothesisModels, pool: PromptPool, settings: EngineSettings, calibration: CalibrationPolicy,
                storePath: String?) {
        self.models = models
        self.pool = pool
        self.settings = settings
        self.calibration = calibration
        self.storePath = storePath
    }

    /// What `prepare` produced: everything a run needs besides its oracle.
    public struct Prepared: Sendable {
        /// The job's settings with beta and the cap the calibration fitted.
        public var settings: EngineSettings
        /// The fit, when the policy was `.fit`.
        public var calibration: Calibration?
        /// The models that score answers (with domain drift when the settings ask for it).
        public var scoringModels: HypothesisModels
        public var pool: PromptPool
        public var bank: PromptBank
        /// Tensors read from the store and computed now.
        public var cached: Int
        public var computed: Int
    }

    /// Calibrates (when the policy says so), then builds the bank through the store. Bad
    /// calibration text fails here, before any query.
    public func prepare(events: @escaping @Sendable (JobEvent) -> Void = { _ in }) throws -> Prepared {
        var scoring = models
        if settings.observation.domainDrift {
            let domains = try NoneReference.driftDomains(NoneReference.sources) { try corpora.corpus($0) }
            scoring = try models.withDomainDrift(domains: domains)
            events(.step("trained domain drift models (\(domains.count) domains)"))
        }
        var settings = self.settings
        var fitted: Calibration?
        if case .fit(let text, let excluding, let directory) = calibration {
            let documents = try text.documents(corpus: { try corpora.corpus($0) }, excluding: excluding)
            events(.step("calibrating beta and the answer cap on \(documents.count) documents of \(text.name)"))
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let (c, cached) = try Calibration.apply(to: &settings, cacheDirectory: directory, models: scoring, pool: pool, domains: documents) {
                events(.step($0))
            }
            fitted = c
            events(.step(c.summary(cached: cached)))
        }
        let store = try storePath.map { try ResponseStore(path: $0) }
        let pre = try Precompute(builder: settings.observation.tensorBuilder(models: models, seed: settings.seed), store: store, threads: settings.threads,
                                 cap: settings.observation.likelihoodCap(space: settings.observation.space(models: models))).bank(for: pool) { events(.precompute(done: $0, total: $1)) }
        events(.step("precompute: \(pre.cached) tensors from the store, \(pre.computed) computed"))
        var pool = self.pool, bank = pre.bank
        if let n = settings.scheduling.screenTo, n < pool.count {
            let kept = PoolScreening(families: models.tokenizerFamilies).keep(n, of: bank)
            pool = pool.subset(kept)
            bank = bank.subset(kept)
            events(.step("screened the pool: kept \(n) of \(self.pool.count) prompts (prior EIG, divergence between candidates sharing a tokenizer, diversity)"))
        }
        return Prepared(settings: settings, calibration: fitted, scoringModels: scoring, pool: pool, bank: bank,
                        cached: pre.cached, computed: pre.computed)
    }

    /// The whole job against one source: prepare, open the source, run, close it.
    public func execute(source: OracleSource, journal: JournalSpec?, modelIDs: [Int],
                        events: @escaping @Sendable (JobEvent) -> Void = { _ in }) async throws -> Outcome {
        let prepared = try prepare(events: events)
        return try await source.using(concurrency: settings.scheduling.concurrency, log: { events(.step($0)) }) { opened in
            events(.step("asking \(opened.description)"))
            return try await prepared.run(on: opened, journal: journal, modelIDs: modelIDs, events: events)
        }
    }

    /// What a finished run produced.
    public struct Outcome: Sendable {
        public var report: RunReport
        /// Answered against counted queries, for a journaled run.
        public var journal: JournalSummary?
        /// What reconciling the journal with the source's counts found on opening.
        public var reconciliation: [Reconciliation]
        public var cached: Int
        public var computed: Int
    }
}

/// The run's query journal: a SQLite file and the run's id in it (a resumed run reuses both,
/// and the same settings and seed).
public struct JournalSpec: Sendable, Equatable {
    public var path: String
    public var runID: String

    public init(path: String, runID: String) {
        self.path = path
        self.runID = runID
    }
}

/// What a job reports as it goes; the command line decides what to print.
public enum JobEvent: Sendable {
    /// A step done or begun, as a sentence ("calibration: beta = 0.20 ...").
    case step(String)
    /// Tensors available so far of the pool's.
    case precompute(done: Int, total: Int)
    /// An answer recorded for one model.
    case answer(AnswerEvent)
}

/// One recorded answer: the model's standing after it.
public struct AnswerEvent: Sendable, Equatable {
    public var model: Int
    /// Queries this model has used.
    public var queries: Int
    /// The hypothesis with the largest posterior, and that probability.
    public var leader: String
    public var probability: Double
    /// Why the model stopped, when it has.
    public var stopReason: String?
    /// Queries over every model so far.
    public var totalQueries: Int
    /// The model's marginal posterior over hypotheses now, in hypothesis order.
    public var posterior: [Double]

    /// The line a person reads.
    public var line: String {
        String(format: "model %d: query %d -> %@ %.3f (%@); %d queries in all", model, queries, leader, probability,
               stopReason.map { "stopped: \($0)" } ?? "running", totalQueries)
    }
}

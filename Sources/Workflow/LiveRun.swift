import AttributionCore
import Engine
import Foundation
import Oracles
import Storage

/// An automated attribution run against an MLMAC-compatible API: precompute (through the
/// store), then the scheduler against the live API behind the query journal.
public struct LiveRun: Sendable {
    public var apiURL: String
    public var token: APIToken
    public var models: HypothesisModels
    public var pool: PromptPool
    public var settings: EngineSettings
    /// Public ids of the fine-tuned models to attribute.
    public var modelIDs: [Int]
    public var storePath: String?
    public var journalPath: String
    /// Journal run id: a resumed run must use the same id (and the same settings and seed).
    public var runID: String
    /// Where `settings.beta` came from, recorded in the report.
    public var calibration: Calibration?
    /// Models that score the API's answers for the posterior update, when richer than the
    /// `models` that build the EIG tensors (for example with domain drift, too costly for
    /// the tensors); nil uses `models` for both.
    public var scoringModels: HypothesisModels?

    public init(apiURL: String, token: APIToken, models: HypothesisModels, pool: PromptPool, settings: EngineSettings,
                modelIDs: [Int], storePath: String?, journalPath: String, runID: String) {
        self.apiURL = apiURL
        self.token = token
        self.models = models
        self.pool = pool
        self.settings = settings
        self.modelIDs = modelIDs
        self.storePath = storePath
        self.journalPath = journalPath
        self.runID = runID
    }

    /// What a finished run produced.
    public struct Outcome: Sendable {
        public var report: RunReport
        public var journal: JournalSummary
        public var reconciliation: [Reconciliation]
        public var precomputed: (cached: Int, computed: Int)
    }

    /// Runs to completion. `log` receives progress lines (never the token).
    public func execute(log: @escaping @Sendable (String) -> Void = { _ in },
                        precomputeProgress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> Outcome {
        let strategy = try settings.selectionStrategy()
        let store = try storePath.map { try ResponseStore(path: $0) }
        let builder = settings.tensorBuilder(models: models)
        let pre = try Precompute(builder: builder, store: store, threads: settings.threads, cap: settings.likelihoodCap).bank(for: pool, progress: precomputeProgress)
        log("precompute: \(pre.cached) tensors from the store, \(pre.computed) computed")

        let transport = CurlTransportPool(size: settings.concurrency)
        let client = try MLMACClient(configuration: .init(baseURL: apiURL), token: token, transport: transport)
        let journal = try QueryJournal(path: journalPath)
        let journaled = JournaledOracle(oracle: client, journal: journal, runID: runID)
        let findings = try await journaled.open()
        for f in findings { log("journal: \(f)") }

        let runner = AttributionRunner(bank: pre.bank, prompts: pool.prompts, scorer: settings.answerScorer(models: scoringModels ?? models),
                                       observation: settings.observation, strategy: strategy, stopping: settings.stoppingRule,
                                       globalBudget: settings.globalBudget, concurrency: settings.concurrency, cap: settings.likelihoodCap,
                                       allowRepeats: settings.repeatPrompts, seed: settings.seed)
        let names = (0..<pre.bank.space.hypothesisCount).map { pre.bank.space.name(ofHypothesis: $0) }
        let results = try await runner.run(models: modelIDs, oracle: JournaledAttributionOracle(journaled)) { progress, scheduler in
            let (h, p) = progress.posterior.mapHypothesis
            let state = progress.stopReason.map { "stopped: \($0)" } ?? "running"
            log(String(format: "model %d: query %d -> %@ %.3f (%@); %d queries in all",
                       progress.model, progress.queriesUsed, names[h], p, state, scheduler.queriesSpent))
        }
        let summary = try await journaled.summary()
        var report = RunReport(bank: pre.bank, settings: settings, strategy: strategy.name, models: results)
        report.calibration = calibration
        return Outcome(report: report,
                       journal: summary, reconciliation: findings, precomputed: (pre.cached, pre.computed))
    }
}

import AttributionCore
import Common
import Engine
import Foundation
import Oracles
import Storage

extension AttributionJob.Prepared {
    /// Runs the engine against an opened source until every model has stopped, and reports.
    /// A paid source must have a journal: the journal is the only way a paid query is sent.
    /// A run with another strategy or budget changes `settings` of a copy first (the calibrated
    /// beta and cap stay). `quota`: the prompts each model may be asked, when the source is a log.
    public func run(on source: OpenedOracle, journal: JournalSpec?, modelIDs: [Int], quota: PromptQuota? = nil,
                    events: @escaping @Sendable (JobEvent) -> Void = { _ in }) async throws -> AttributionJob.Outcome {
        var journaled: JournaledOracle?
        var findings: [Reconciliation] = []
        var lock: FileLock?
        defer { withExtendedLifetime(lock) {} }
        if let journal {
            // One process per journal, for the whole run: the lock dies with its process.
            do { lock = try FileLock(path: journal.path + ".lock") } catch .held(let holder) {
                throw AttribError.journalInUse(path: journal.path, holder: holder)
            } catch .unopenable(let reason) {
                throw AttribError.unusable(path: journal.path + ".lock", reason: "cannot be opened as a lock file: \(reason)")
            }
            let oracle = JournaledOracle(oracle: source.oracle, journal: try QueryJournal(path: journal.path), runID: journal.runID)
            findings = try await oracle.open()
            for f in findings { events(.step("journal: \(f)")) }
            journaled = oracle
        } else if source.paid {
            throw AttribError.unmet(requirement: "\(source.description) counts every query, so the run needs a query journal (--journal)")
        }
        let runner = AttributionRunner(bank: bank, prompts: pool.prompts, models: scoringModels, settings: settings, quota: quota)
        let names = bank.space.hypothesisNames
        let report: @Sendable (ModelProgress, Scheduler) -> Void = { progress, scheduler in
            let (h, p) = progress.posterior.mapHypothesis
            events(.answer(AnswerEvent(model: progress.model, queries: progress.queriesUsed, leader: names[h], probability: p,
                                       stopReason: progress.stopReason.map { "\($0)" }, totalQueries: scheduler.queriesSpent,
                                       posterior: progress.posterior.marginal)))
        }
        let oracle: any Oracle = journaled ?? source.oracle
        let results = try await runner.run(models: modelIDs, oracle: oracle, progress: report)
        var runReport = RunReport(bank: bank, settings: settings, strategy: settings.scheduling.strategy.rawValue, models: results)
        runReport.calibration = calibration
        runReport.decoding = scoringModels.settings
        return AttributionJob.Outcome(report: runReport, journal: try await journaled?.summary(), reconciliation: findings,
                                      cached: cached, computed: computed)
    }
}

import Common
import Storage

/// Any `Oracle` behind the query journal, itself an `Oracle`: never pays twice for an
/// answered query. The only way a run sends a paid query.
///
/// Each `ask(model:prompt:)` takes the next sequence number for that model in this run and
/// 1. replays a completed journal entry with the same key (nothing is sent; `replayed`);
/// 2. otherwise records the intent (durably), sends, and records the answer before
///    returning it.
/// `open()` runs first (`ask` opens on first use): it reads the source's counts (MLMAC's
/// `GET /status`, not counted), starts or resumes the run, and reconciles
/// intended-but-unanswered entries with those counts. A source that keeps no counts skips
/// the reconciliation: its pending entries are simply sent again.
/// A deterministic engine restarted with the same run id and seed replays every answered
/// query from the journal and re-sends only the one(s) in flight at the crash.
///
/// Queries to different models may run concurrently; keep one in flight per model, so the
/// server's per-model count attributes each counted request to one journal entry.
public actor JournaledOracle: Oracle {
    public nonisolated let runID: String
    private let oracle: any Oracle
    private let journal: QueryJournal
    private var nextSequence: [Int: Int] = [:]
    private var knownCounts: [Int: Int] = [:]
    private var opened = false

    public init(oracle: any Oracle, journal: QueryJournal, runID: String) {
        self.oracle = oracle
        self.journal = journal
        self.runID = runID
    }

    /// Starts or resumes the run; returns what reconciliation found (empty on a clean start).
    @discardableResult
    public func open() async throws(JournaledQueryError) -> [Reconciliation] {
        let counts: [Int: Int]?
        do { counts = try await oracle.queryCounts() } catch { throw .api(error) }
        do {
            try await journal.beginRun(runID, baseline: counts)
            var findings: [Reconciliation] = []
            if let counts { findings = try await journal.reconcile(runID: runID, statusCounts: counts) }
            knownCounts = try await journal.latestServerCounts()
            for (model, count) in counts ?? [:] { knownCounts[model] = count }
            opened = true
            return findings
        } catch { throw .journal(error) }
    }

    /// The answer of `model` to `prompt`, from the journal when this run already paid for it.
    public func ask(model: Int, prompt: String) async throws(JournaledQueryError) -> OracleAnswer {
        if !opened { try await open() }
        let sequence = nextSequence[model, default: 0]
        nextSequence[model] = sequence + 1
        let key = QueryKey(runID: runID, model: model, sequence: sequence, prompt: prompt)
        do {
            if let entry = try await journal.entry(for: key), let response = entry.response {
                return Self.answer(response, replayed: true)
            }
            try await journal.recordIntent(key, serverCountBefore: knownCounts[model] ?? 0)
        } catch { throw .journal(error) }

        let result: OracleAnswer
        do { result = try await oracle.ask(model: model, prompt: prompt) } catch {
            try? await journal.recordAttempts(key, (error as? any OracleFailure)?.attempts ?? 1)
            // Asking again (now or after a restart) reuses this key, so the entry is re-sent.
            nextSequence[model] = sequence
            throw .api(error)
        }
        let response = JournalResponse(
            generatedText: result.generatedText, continuation: result.continuation,
            promptEchoed: result.promptEchoed, serverCountAfter: result.serverCount,
            attempts: result.attempts)
        do { try await journal.recordCompletion(key, response: response) } catch { throw .journal(error) }
        if let count = result.serverCount { knownCounts[model] = count }
        return Self.answer(response, replayed: false)
    }

    /// Answered vs server-counted queries of this run so far.
    public func summary() async throws(JournaledQueryError) -> JournalSummary {
        do { return try await journal.summary(runID: runID) } catch { throw .journal(error) }
    }

    /// The source's counts, as the journal last knew them (not a query).
    public func queryCounts() async throws -> [Int: Int]? {
        try await oracle.queryCounts()
    }

    private static func answer(_ response: JournalResponse, replayed: Bool) -> OracleAnswer {
        OracleAnswer(generatedText: response.generatedText, continuation: response.continuation, promptEchoed: response.promptEchoed,
                     serverCount: response.serverCountAfter, attempts: response.attempts, replayed: replayed)
    }
}

import Storage

/// A `CountedOracle` behind the query journal: never pays twice for an answered query.
///
/// Each `ask(model:prompt:)` takes the next sequence number for that model in this run and
/// 1. replays a completed journal entry with the same key (nothing is sent);
/// 2. otherwise records the intent (durably), sends, and records the answer before
///    returning it.
/// `open()` must run first: it reads `GET /status` (not counted), starts or resumes the
/// run, and reconciles intended-but-unanswered entries with the server's counts.
/// A deterministic engine restarted with the same run id and seed replays every answered
/// query from the journal and re-sends only the one(s) in flight at the crash.
///
/// Queries to different models may run concurrently; keep one in flight per model, so the
/// server's per-model count attributes each counted request to one journal entry.
public actor JournaledOracle {
    public nonisolated let runID: String
    private let oracle: any CountedOracle
    private let journal: QueryJournal
    private var nextSequence: [Int: Int] = [:]
    private var knownCounts: [Int: Int] = [:]
    private var opened = false

    public init(oracle: any CountedOracle, journal: QueryJournal, runID: String) {
        self.oracle = oracle
        self.journal = journal
        self.runID = runID
    }

    /// Starts or resumes the run; returns what reconciliation found (empty on a clean start).
    @discardableResult
    public func open() async throws(JournaledQueryError) -> [Reconciliation] {
        let status: MLMACStatus
        do { status = try await oracle.status() } catch { throw .api(error) }
        do {
            try await journal.beginRun(runID, baseline: status.queryCounts)
            let findings = try await journal.reconcile(runID: runID, statusCounts: status.queryCounts)
            knownCounts = try await journal.latestServerCounts()
            for (model, count) in status.queryCounts { knownCounts[model] = count }
            opened = true
            return findings
        } catch { throw .journal(error) }
    }

    /// The answer of `model` to `prompt`, from the journal when this run already paid for it.
    public func ask(model: Int, prompt: String) async throws(JournaledQueryError) -> JournaledAnswer {
        if !opened { try await open() }
        let sequence = nextSequence[model, default: 0]
        nextSequence[model] = sequence + 1
        let key = QueryKey(runID: runID, model: model, sequence: sequence, prompt: prompt)
        do {
            if let entry = try await journal.entry(for: key), let response = entry.response {
                return Self.answer(key, response, replayed: true)
            }
            try await journal.recordIntent(key, serverCountBefore: knownCounts[model] ?? 0)
        } catch { throw .journal(error) }

        let result: MLMACQueryResult
        do { result = try await oracle.query(model: model, prompt: prompt) } catch {
            try? await journal.recordAttempts(key, error.attempts)
            // Asking again (now or after a restart) reuses this key, so the entry is re-sent.
            nextSequence[model] = sequence
            throw .api(error)
        }
        let response = JournalResponse(
            generatedText: result.generatedText, continuation: result.continuation,
            promptEchoed: result.promptEchoed, serverCountAfter: result.queryCounts[model],
            attempts: result.attempts)
        do { try await journal.recordCompletion(key, response: response) } catch { throw .journal(error) }
        if let count = result.queryCounts[model] { knownCounts[model] = count }
        return Self.answer(key, response, replayed: false)
    }

    /// Answered vs server-counted queries of this run so far.
    public func summary() async throws(JournaledQueryError) -> JournalSummary {
        do { return try await journal.summary(runID: runID) } catch { throw .journal(error) }
    }

    private static func answer(_ key: QueryKey, _ response: JournalResponse, replayed: Bool) -> JournaledAnswer {
        JournaledAnswer(model: key.model, sequence: key.sequence, prompt: key.prompt,
                        generatedText: response.generatedText, continuation: response.continuation,
                        promptEchoed: response.promptEchoed, replayed: replayed)
    }
}

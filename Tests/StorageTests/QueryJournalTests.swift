import Foundation
import GRDB
import Storage
import Testing

/// A fresh directory under the system temporary directory.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("attrib-storage-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite("QueryJournal on a real SQLite file")
struct QueryJournalTests {
    let directory: URL
    let path: String

    init() throws {
        directory = try temporaryDirectory()
        path = directory.appendingPathComponent("journal.sqlite").path
    }

    func response(_ text: String, after: Int?) -> JournalResponse {
        JournalResponse(generatedText: "p" + text, continuation: text, promptEchoed: true,
                        serverCountAfter: after, attempts: 1)
    }

    @Test func usesWriteAheadLogging() throws {
        _ = try QueryJournal(path: path)
        let mode = try DatabaseQueue(path: path).read { db in
            try String.fetchOne(db, sql: "PRAGMA journal_mode")
        }
        #expect(mode == "wal")
    }

    @Test func completedEntriesSurviveReopening() async throws {
        let key = QueryKey(runID: "r1", model: 3, sequence: 0, prompt: "p")
        do {
            let journal = try QueryJournal(path: path)
            let intended = try await journal.recordIntent(key, serverCountBefore: 4)
            #expect(intended.state == .intended && intended.sends == 1 && intended.response == nil)
            try await journal.recordCompletion(key, response: response(" world", after: 5))
        }
        let reopened = try QueryJournal(path: path)
        let entry = try #require(try await reopened.entry(for: key))
        #expect(entry.state == .completed)
        #expect(entry.response == response(" world", after: 5))
        #expect(entry.serverCounted == 1)
        // Intending a completed key again changes nothing; completing again keeps the first answer.
        #expect(try await reopened.recordIntent(key, serverCountBefore: 9) == entry)
        try await reopened.recordCompletion(key, response: response(" other", after: 6))
        #expect(try await reopened.entry(for: key)?.response?.continuation == " world")
    }

    @Test func anotherPromptUnderTheSameKeyIsADivergence() async throws {
        let journal = try QueryJournal(path: path)
        let key = QueryKey(runID: "r1", model: 0, sequence: 2, prompt: "first prompt")
        try await journal.recordIntent(key, serverCountBefore: 0)
        var other = key
        other.prompt = "second prompt"
        await #expect(throws: JournalError.divergence(key: other, journaledPrompt: "first prompt")) {
            try await journal.entry(for: other)
        }
        let error = JournalError.divergence(key: other, journaledPrompt: "first prompt")
        #expect(error.description.contains("run r1, model 0, query #2"))
        // A different run id is a different key.
        #expect(try await journal.entry(for: QueryKey(runID: "r2", model: 0, sequence: 2, prompt: "x")) == nil)
    }

    @Test func completingAnUnknownKeyFails() async throws {
        let journal = try QueryJournal(path: path)
        let key = QueryKey(runID: "r", model: 1, sequence: 0, prompt: "p")
        await #expect(throws: JournalError.unknownKey(key)) {
            try await journal.recordCompletion(key, response: response("x", after: 1))
        }
    }

    /// A server whose counts went backwards (fresh or reset) is said so, for a model with a
    /// pending query and for one without.
    @Test func reconcileSaysWhenTheServersCountsWentBack() async throws {
        let journal = try QueryJournal(path: path)
        try await journal.beginRun("r", baseline: [0: 10, 1: 20])
        try await journal.recordServerCounts([0: 10, 1: 20], runID: "r")
        let pending = QueryKey(runID: "r", model: 0, sequence: 0, prompt: "a")
        try await journal.recordIntent(pending, serverCountBefore: 10)
        let findings = try await journal.reconcile(runID: "r", statusCounts: [0: 0, 1: 0])
        #expect(findings == [
            Reconciliation(model: 0, key: pending, finding: .countWentBack(from: 10, to: 0)),
            Reconciliation(model: 1, key: nil, finding: .countWentBack(from: 20, to: 0)),
        ])
        #expect(findings[1].description.contains("now counts 0 queries where it counted 20 before"))
    }

    @Test func reconcileTellsCountedFromUncountedIntents() async throws {
        let journal = try QueryJournal(path: path)
        try await journal.beginRun("r", baseline: [0: 10, 1: 20, 2: 5])
        try await journal.recordServerCounts([0: 10, 1: 20, 2: 5], runID: "r")
        // Model 0: crashed before the request left. Model 1: counted, answer lost.
        let uncounted = QueryKey(runID: "r", model: 0, sequence: 0, prompt: "a")
        let lost = QueryKey(runID: "r", model: 1, sequence: 0, prompt: "b")
        try await journal.recordIntent(uncounted, serverCountBefore: 10)
        try await journal.recordIntent(lost, serverCountBefore: 20)
        // Model 2 grew without any entry: someone else used the token.
        let findings = try await journal.reconcile(runID: "r", statusCounts: [0: 10, 1: 21, 2: 7])
        #expect(findings == [
            Reconciliation(model: 0, key: uncounted, finding: .notCounted),
            Reconciliation(model: 1, key: lost, finding: .countedWithoutAnswer(1)),
            Reconciliation(model: 2, key: nil, finding: .unexplainedCount(2)),
        ])
        #expect(try await journal.entry(for: lost)?.lostAttempts == 1)
        #expect(try await journal.pendingEntries(runID: "r").map(\.key) == [uncounted, lost])

        // The re-sent queries complete; the lost one was paid twice, and the summary says so.
        let resent = try await journal.recordIntent(lost, serverCountBefore: 21)
        #expect(resent.sends == 2 && resent.serverCountBefore == 20)
        try await journal.recordCompletion(lost, response: response("b!", after: 22))
        try await journal.recordIntent(uncounted, serverCountBefore: 10)
        try await journal.recordCompletion(uncounted, response: response("a!", after: 11))
        let summary = try await journal.summary(runID: "r")
        #expect(summary.pending == 0)
        #expect(summary.answered == 2)
        #expect(summary.perModel[0]?.serverCounted == 1)
        #expect(summary.perModel[1]?.serverCounted == 2)
        #expect(summary.perModel[2]?.serverCounted == 2)
        #expect(summary.discrepancy == 3)
        #expect(summary.description.contains("model 1: answered 1, sent 2, server counted 2 (differs by 1)"))
    }

    @Test func reconcileWithoutAnEarlierCountIsUnknown() async throws {
        let journal = try QueryJournal(path: path)
        let key = QueryKey(runID: "r", model: 4, sequence: 0, prompt: "p")
        try await journal.recordIntent(key, serverCountBefore: nil)
        #expect(try await journal.reconcile(runID: "r", statusCounts: [4: 3])
            == [Reconciliation(model: 4, key: key, finding: .unknown)])
    }

    @Test func beginRunKeepsTheFirstBaseline() async throws {
        let journal = try QueryJournal(path: path)
        #expect(try await journal.beginRun("r", baseline: [0: 1]))
        #expect(try await !journal.beginRun("r", baseline: [0: 7]))
        try await journal.recordServerCounts([0: 7], runID: "r")
        #expect(try await journal.summary(runID: "r").perModel[0]?.serverCounted == 6)
    }

    @Test func anUnwritablePathIsAClearError() throws {
        let bad = directory.appendingPathComponent("missing/dir/journal.sqlite").path
        do {
            _ = try QueryJournal(path: bad)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("Cannot open the query journal \(bad):"))
        }
    }
}

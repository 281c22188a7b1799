import Foundation
import Oracles
import SimulatorServer
import Storage
import Testing

@Suite("JournaledOracle: resume without paying twice")
struct JournaledOracleTests {
    let path: String

    init() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("attrib-journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("journal.sqlite").path
    }

    /// A deterministic "engine": query i goes to model i % 3 with a prompt fixed by i.
    static let plan = (0..<9).map { (model: $0 % 3, prompt: "prompt number \($0) →") }

    func oracle(_ test: TestServer, run: String = "run-1") throws -> JournaledOracle {
        JournaledOracle(oracle: try test.client(), journal: try QueryJournal(path: path), runID: run)
    }

    @Test func restartReplaysAnsweredQueriesFromTheJournal() async throws {
        let test = try await TestServer.start()
        let first = try oracle(test)
        var answers: [String] = []
        for step in Self.plan { answers.append(try await first.ask(model: step.model, prompt: step.prompt).continuation) }
        #expect(await test.server.counts() == ["alice": [0: 3, 1: 3, 2: 3]])

        // A new process: same journal file, same run id, same sequence of prompts.
        let second = try oracle(test)
        #expect(try await second.open().isEmpty)
        for (index, step) in Self.plan.enumerated() {
            let answer = try await second.ask(model: step.model, prompt: step.prompt)
            #expect(answer.replayed)
            #expect(answer.continuation == answers[index])
        }
        #expect(await test.server.counts() == ["alice": [0: 3, 1: 3, 2: 3]])
        let summary = try await second.summary()
        #expect(summary.answered == 9 && summary.serverCounted == 9 && summary.discrepancy == 0)
        await test.stop()
    }

    @Test func crashBeforeTheRequestLeftResendsWithoutDoubleCount() async throws {
        let test = try await TestServer.start()
        let first = try oracle(test)
        for step in Self.plan.prefix(4) { _ = try await first.ask(model: step.model, prompt: step.prompt) }
        // Crash between intent and send for step 4 (model 1, its sequence 1).
        let journal = try QueryJournal(path: path)
        let step = Self.plan[4]
        try await journal.recordIntent(QueryKey(runID: "run-1", model: step.model, sequence: 1, prompt: step.prompt),
                                       serverCountBefore: 1)

        let second = try oracle(test)
        let findings = try await second.open()
        #expect(findings.map(\.finding) == [.notCounted])
        for step in Self.plan { _ = try await second.ask(model: step.model, prompt: step.prompt) }
        #expect(await test.server.counts() == ["alice": [0: 3, 1: 3, 2: 3]])
        let summary = try await second.summary()
        #expect(summary.answered == 9 && summary.serverCounted == 9 && summary.pending == 0)
        await test.stop()
    }

    @Test func crashAfterTheServerCountedIsReconciledAndReported() async throws {
        let test = try await TestServer.start()
        let first = try oracle(test)
        for step in Self.plan.prefix(4) { _ = try await first.ask(model: step.model, prompt: step.prompt) }
        // Step 4 was journaled and sent, the server counted it, then the process died.
        let step = Self.plan[4]
        let journal = try QueryJournal(path: path)
        try await journal.recordIntent(QueryKey(runID: "run-1", model: step.model, sequence: 1, prompt: step.prompt),
                                       serverCountBefore: 1)
        _ = try await test.client().query(model: step.model, prompt: step.prompt)

        let second = try oracle(test)
        let findings = try await second.open()
        #expect(findings.map(\.finding) == [.countedWithoutAnswer(1)])
        var replayed = 0
        for step in Self.plan { replayed += try await second.ask(model: step.model, prompt: step.prompt).replayed ? 1 : 0 }
        #expect(replayed == 4)
        #expect(await test.server.counts() == ["alice": [0: 3, 1: 4, 2: 3]])
        let summary = try await second.summary()
        #expect(summary.answered == 9 && summary.serverCounted == 10 && summary.discrepancy == 1)
        #expect(summary.perModel[1]?.lostAttempts == 1)
        await test.stop()
    }

    @Test func droppedConnectionsShowAsCountedButUnanswered() async throws {
        let test = try await TestServer.start(knobs: FaultKnobs(dropRate: 0.3, seed: 5))
        let oracle = try oracle(test)
        for step in Self.plan { _ = try await oracle.ask(model: step.model, prompt: step.prompt) }
        let counted = await test.server.counts()["alice"]!.values.reduce(0, +)
        let summary = try await oracle.summary()
        #expect(summary.answered == 9)
        #expect(summary.serverCounted == counted)
        #expect(summary.requestsSent == counted)
        #expect(summary.discrepancy == counted - 9)
        await test.stop()
    }

    @Test func aDifferentPromptSequenceIsRefused() async throws {
        let test = try await TestServer.start()
        let first = try oracle(test)
        _ = try await first.ask(model: 0, prompt: "alpha")
        let second = try oracle(test)
        do {
            _ = try await second.ask(model: 0, prompt: "beta")
            Issue.record("expected a divergence")
        } catch {
            guard case .journal(.divergence) = error else { Issue.record("wrong error \(error)"); return }
        }
        #expect(await test.server.counts() == ["alice": [0: 1]])
        await test.stop()
    }

    @Test func aFailedQueryIsReaskedUnderTheSameKey() async throws {
        let broken = try await TestServer.start(knobs: FaultKnobs(errorRate: 1))
        let oracle = try oracle(broken)
        await #expect(throws: JournaledQueryError.self) { try await oracle.ask(model: 2, prompt: "p") }
        await broken.stop()
        let journal = try QueryJournal(path: path)
        let pending = try await journal.pendingEntries(runID: "run-1")
        #expect(pending.map(\.key.sequence) == [0])
        #expect(pending.first?.attempts == 4)
    }
}

import Foundation
import Oracles
import SimulatorServer
import Storage
import Testing
import Transport

/// The token must never appear in a log line, an error message, a description or the
/// journal. This runs the client through every failure it can meet, with the token in
/// use, and greps everything that was written or printed.
@Suite("The API token never leaks")
struct TokenLeakTests {
    @Test func tokenAppearsNowhere() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attrib-leak-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let journalPath = directory.appendingPathComponent("journal.sqlite").path
        var texts: [String] = []
        func record(_ value: Any) {
            texts.append("\(value)")
            texts.append(String(reflecting: value))
            var dumped = ""
            dump(value, to: &dumped)
            texts.append(dumped)
        }

        // A faulty but working server, through the journal.
        let faulty = try await TestServer.start(knobs: FaultKnobs(loadingSeconds: 0.05, errorRate: 0.2, dropRate: 0.2,
                                                                  malformedRate: 0.2, seed: 9))
        let client = try faulty.client(retry: RetryPolicy(maxTransientRetries: 10, minLoadingWait: 0.01, baseBackoff: 0.001),
                                       sleeper: RecordingSleeper(scale: 1))
        record(client)
        let oracle = JournaledOracle(oracle: client, journal: try QueryJournal(path: journalPath), runID: "leak")
        for reconciliation in try await oracle.open() { record(reconciliation) }
        for index in 0..<12 { record(try await oracle.ask(model: index % 4, prompt: "leak test \(index)")) }
        record(try await oracle.summary())
        record(try await client.status())
        texts += faulty.logs.all
        await faulty.stop()

        // Every kind of error, with the real token sent.
        let strangers = LogCollector()
        let stranger = try await SimulatorServer.start(responder: SeededResponder(modelCount: 2),
                                                       tokens: TokenRegistry(tokens: ["someone-else": "bob"]),
                                                       log: strangers.sink)
        let refused = try MLMACClient(configuration: .init(baseURL: stranger.baseURL), token: APIToken(testSecret))
        do { _ = try await refused.query(model: 0, prompt: "x") } catch { record(error) }
        do { _ = try await refused.status() } catch { record(error) }
        texts += strangers.all
        await stranger.stop()
        for knobs in [FaultKnobs(errorRate: 1), FaultKnobs(malformedRate: 1), FaultKnobs(dropRate: 1),
                      FaultKnobs(responseDelay: 1), FaultKnobs(loadingSeconds: 100)] {
            let test = try await TestServer.start(knobs: knobs)
            let failing = try test.client(retry: RetryPolicy(maxTransientRetries: 1, maxLoadingWait: 1, baseBackoff: 0.001),
                                          requestTimeout: 0.2)
            do { _ = try await failing.query(model: 1, prompt: "x") } catch { record(error) }
            texts += test.logs.all
            await test.stop()
        }
        do { _ = try await client.query(model: 0, prompt: "server is gone") } catch { record(error) }
        record(HTTPRequest(method: .post, url: "http://h/query", headers: [("Authorization", "Bearer \(testSecret)")]))

        #expect(texts.count > 40)
        for text in texts { #expect(!text.contains(testSecret), "token leaked in: \(text.prefix(200))") }
        // The journal files, byte for byte (WAL and shared-memory files included).
        let secret = Data(testSecret.utf8)
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            let bytes = try Data(contentsOf: directory.appendingPathComponent(name))
            #expect(bytes.range(of: secret) == nil, "token leaked in \(name)")
        }
    }
}

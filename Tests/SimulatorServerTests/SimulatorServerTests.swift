import Common
import Foundation
import SimulatorServer
import Testing

/// Log lines collected from the server's threads.
final class Lines: Sendable {
    private let lines = Locked<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.value }
}

/// A responder whose continuation is fixed, for exact response bodies.
struct FixedResponder: FineTuneResponder {
    let modelCount = 3
    func continuation(model: Int, prompt: String, sample: UInt64) throws -> String { " m\(model)s\(sample)" }
}

@Suite("SimulatorServer over real HTTP (curl command line)")
struct SimulatorServerTests {
    let token = "tok-SIM-1234"

    /// A server whose clock stands still (rate limits and loading are then exact).
    func start(_ knobs: FaultKnobs = .none) async throws -> (SimulatorServer, Lines) {
        let lines = Lines()
        let server = try await SimulatorServer.start(
            responder: FixedResponder(), tokens: TokenRegistry(tokens: [token: "carol"]), knobs: knobs,
            log: { lines.append($0) }, now: { 0 })
        return (server, lines)
    }

    @Test func queryAnswersExactlyPerTheSpec() async throws {
        let (server, lines) = try await start()
        let first = try await RawHTTP.query(server.baseURL, model: "2", body: #"{"input":"Hello, wörld/"}"#, token: token)
        #expect(first.status == 200)
        #expect(first.headers["content-type"] == "application/json")
        #expect(first.body == #"{"queries":{"2":1},"result":{"generated_text":"Hello, wörld/ m2s0"},"status":"success"}"#)
        let again = try await RawHTTP.query(server.baseURL, model: "2", body: #"{"input":"Hello, wörld/"}"#, token: token)
        #expect(again.body == #"{"queries":{"2":2},"result":{"generated_text":"Hello, wörld/ m2s1"},"status":"success"}"#)
        let status = try await RawHTTP.run(["-H", "Authorization: Bearer \(token)", "\(server.baseURL)/status"])
        #expect(status.status == 200)
        let object = try JSONSerialization.jsonObject(with: Data(status.body.utf8)) as? [String: Any]
        #expect(object?["name"] as? String == "carol")
        #expect(object?["total_queries"] as? Int == 2)
        #expect(object?["queries"] as? [String: Int] == ["2": 2])
        #expect(object?["api_key"] as? String != token)
        #expect(await server.counts() == ["carol": [2: 2]])
        // One line per request, none with the token.
        #expect(lines.all.count == 3)
        #expect(lines.all[0].hasPrefix("POST /query?model=2 200 user=carol "))
        #expect(lines.all.allSatisfy { !$0.contains(token) })
        await server.stop()
    }

    @Test func aPromptThatStartsWithAByteOrderMarkIsAnsweredAsSent() async throws {
        // Foundation's JSONSerialization on Linux drops a raw leading U+FEFF: the prompt would be answered as "Hi".
        let (server, _) = try await start()
        let answer = try await RawHTTP.query(server.baseURL, model: "1", body: "{\"input\":\"\u{FEFF}Hi\"}", token: token)
        #expect(answer.status == 200)
        #expect(answer.body == "{\"queries\":{\"1\":1},\"result\":{\"generated_text\":\"\u{FEFF}Hi m1s0\"},\"status\":\"success\"}")
        await server.stop()
    }

    @Test func refusesBadRequests() async throws {
        let (server, lines) = try await start()
        #expect(try await RawHTTP.query(server.baseURL, model: "0", body: #"{"input":"x"}"#, token: nil).status == 401)
        #expect(try await RawHTTP.query(server.baseURL, model: "0", body: #"{"input":"x"}"#, token: "wrong").status == 401)
        #expect(try await RawHTTP.run(["\(server.baseURL)/status"]).status == 401)
        #expect(try await RawHTTP.query(server.baseURL, model: "3", body: #"{"input":"x"}"#, token: token).status == 400)
        #expect(try await RawHTTP.query(server.baseURL, model: "a", body: #"{"input":"x"}"#, token: token).status == 400)
        #expect(try await RawHTTP.query(server.baseURL, model: "0", body: #"{"input":5}"#, token: token).status == 400)
        #expect(try await RawHTTP.query(server.baseURL, model: "0", body: "not json", token: token).status == 400)
        #expect(try await RawHTTP.run(["\(server.baseURL)/nowhere"]).status == 404)
        let wrongMethod = try await RawHTTP.run(["-X", "DELETE", "\(server.baseURL)/status"])
        #expect(wrongMethod.status == 405 && wrongMethod.headers["allow"] == "GET")
        #expect(lines.all.filter { $0.contains("user=-") }.count == 5)
        // `input` is optional in the spec: a missing one is the empty prompt.
        let empty = try await RawHTTP.query(server.baseURL, model: "1", body: "{}", token: token)
        #expect(empty.body == #"{"queries":{"1":1},"result":{"generated_text":" m1s0"},"status":"success"}"#)
        await server.stop()
    }

    @Test func loadingModelsAnswer503WithEstimatedTime() async throws {
        let (server, _) = try await start(FaultKnobs(loadingSeconds: 30))
        let reply = try await RawHTTP.query(server.baseURL, model: "1", body: #"{"input":"x"}"#, token: token)
        #expect(reply.status == 503)
        let object = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]
        let result = object?["result"] as? [String: Any]
        #expect(object?["status"] as? String == "failed")
        #expect(result?["error"] as? String == "currently loading")
        let estimate = try #require(result?["estimated_time"] as? Double)
        #expect(estimate == 30)   // the clock stands still
        #expect(await server.counts().isEmpty)
        await server.stop()
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        // The server's clock stands still: the four requests fall in one second however slow the machine is.
        let (server, _) = try await start(FaultKnobs(rateLimitPerSecond: 2))
        var statuses: [RawHTTP] = []
        for _ in 0..<4 {
            statuses.append(try await RawHTTP.query(server.baseURL, model: "0", body: #"{"input":"x"}"#, token: token))
        }
        #expect(statuses.map(\.status) == [200, 200, 429, 429])
        #expect(statuses[2].headers["retry-after"] == "1")
        #expect(await server.counts() == ["carol": [0: 2]])
        await server.stop()
    }

    @Test func injectedFaultsFollowTheSeed() async throws {
        func pattern() async throws -> [Int] {
            let (server, _) = try await start(FaultKnobs(errorRate: 0.3, dropRate: 0.2, seed: 42))
            var statuses: [Int] = []
            for _ in 0..<20 {
                statuses.append(try await RawHTTP.query(server.baseURL, model: "0", body: #"{"input":"x"}"#, token: token).status)
            }
            await server.stop()
            return statuses
        }
        let first = try await pattern()
        let second = try await pattern()
        #expect(first == second)
        #expect(first.contains(500))
        #expect(first.contains(0) || first.contains(200))  // a dropped connection has no status line
        #expect(first.filter { $0 == 200 }.count >= 5)
    }

    @Test func anUnavailablePortIsAClearError() async throws {
        let (server, _) = try await start()
        do {
            _ = try await SimulatorServer.start(responder: FixedResponder(), tokens: TokenRegistry(tokens: [token: "x"]),
                                                port: server.port, log: { _ in })
            Issue.record("expected a bind error")
        } catch {
            #expect(error.description.hasPrefix("The simulator could not listen on 127.0.0.1:\(server.port)"))
        }
        await server.stop()
    }
}

import Common
import Foundation
import Oracles
import SimulatorServer
import Testing
import Transport

@Suite("MLMACClient against the simulator on loopback")
struct MLMACClientTests {
    @Test func successSplitsThePromptAndReportsCounts() async throws {
        let test = try await TestServer.start()
        let client = try test.client()
        let first = try await client.query(model: 2, prompt: "Once upon a time")
        #expect(first.promptEchoed)
        #expect(first.generatedText == "Once upon a time" + first.continuation)
        #expect(!first.continuation.isEmpty)
        #expect(first.queryCounts == [2: 1])
        #expect(first.attempts == 1)
        let second = try await client.query(model: 3, prompt: "Ünïcödé / \"quotes\" \n")
        #expect(second.promptEchoed)
        #expect(second.queryCounts == [2: 1, 3: 1])
        let status = try await client.status()
        #expect(status.totalQueries == 2)
        #expect(status.queryCounts == [2: 1, 3: 1])
        #expect(status.name == "alice")
        #expect(await test.server.counts() == ["alice": [2: 1, 3: 1]])
        await test.stop()
    }

    @Test func wrongTokenIsUnauthorized() async throws {
        let test = try await TestServer.start()
        let client = try test.client(token: "not-the-token")
        await #expect(throws: APIError.unauthorized(status: 401, endpoint: "POST /query?model=0")) {
            try await client.query(model: 0, prompt: "x")
        }
        await #expect(throws: APIError.unauthorized(status: 401, endpoint: "GET /status")) {
            try await client.status()
        }
        #expect(await test.server.counts().isEmpty)
        await test.stop()
    }

    @Test func loadingModelIsWaitedForThenAnswers() async throws {
        let test = try await TestServer.start(knobs: FaultKnobs(loadingSeconds: 0.4))
        let sleeper = RecordingSleeper(scale: 1)
        let retry = RetryPolicy(minLoadingWait: 0.05, baseBackoff: 0.01)
        let lines = Locked<[String]>([])
        let client = try test.client(retry: retry, sleeper: sleeper, onLoadingWait: { line in lines.withLock { $0.append(line) } })
        let result = try await client.query(model: 1, prompt: "hello")
        #expect(result.queryCounts == [1: 1])
        // A person waiting is told which model, the API's estimate, the wait and the bound.
        #expect(lines.value.first.map { $0.hasPrefix("model 1 is loading (the API estimates") && $0.contains("at most 900 s") } == true, "\(lines.value)")
        let waits = await sleeper.waits
        #expect(!waits.isEmpty)
        #expect(waits[0] > 0.3 && waits[0] <= 0.4)
        #expect(test.logs.all.contains { $0.contains(" 503 loading") })
        await test.stop()
    }

    @Test func loadingLongerThanTheBoundIsAClearError() async throws {
        let test = try await TestServer.start(knobs: FaultKnobs(loadingSeconds: 300))
        let retry = RetryPolicy(maxLoadingWait: 100, maxSingleWait: 40)
        let client = try test.client(retry: retry)
        do {
            _ = try await client.query(model: 1, prompt: "hello")
            Issue.record("expected an error")
        } catch {
            guard case .modelStillLoading(1, let waited, let attempts) = error else {
                Issue.record("wrong error \(error)"); return
            }
            #expect(waited == 80 && attempts == 3)
            #expect(error.description.contains("Model 1 was still loading (HTTP 503)"))
        }
        await test.stop()
    }

    @Test func rateLimitHonoursRetryAfter() async throws {
        // The server's time is a clock the client's sleeper advances: the third query of the
        // same second is refused, the client waits the second it is told, then it passes.
        let clock = ManualClock()
        let test = try await TestServer.start(knobs: FaultKnobs(rateLimitPerSecond: 2), clock: clock)
        let sleeper = RecordingSleeper(clock: clock)
        let client = try test.client(sleeper: sleeper)
        for index in 0..<3 { _ = try await client.query(model: 0, prompt: "p\(index)") }
        #expect(await sleeper.waits == [1])
        #expect(await test.server.counts() == ["alice": [0: 3]])
        #expect(test.logs.all.filter { $0.contains(" 429 ") }.count == 1)
        await test.stop()
    }

    @Test func serverErrorsAreRetriedThenReported() async throws {
        let flaky = try await TestServer.start(knobs: FaultKnobs(errorRate: 0.5, seed: 3))
        let client = try flaky.client(retry: RetryPolicy(maxTransientRetries: 8, baseBackoff: 0.01))
        var attempts = 0
        for index in 0..<10 { attempts += try await client.query(model: 0, prompt: "q\(index)").attempts }
        #expect(attempts > 10)
        #expect(await flaky.server.counts() == ["alice": [0: 10]])
        await flaky.stop()

        let broken = try await TestServer.start(knobs: FaultKnobs(errorRate: 1))
        let sleeper = RecordingSleeper()
        let failing = try broken.client(sleeper: sleeper)
        await #expect(throws: APIError.serverError(status: 500, endpoint: "POST /query?model=1", attempts: 4)) {
            try await failing.query(model: 1, prompt: "x")
        }
        let waits = await sleeper.waits
        #expect(waits.count == 3)
        #expect(zip(waits, [0.01, 0.02, 0.04]).allSatisfy { $0 >= $1 / 2 && $0 <= $1 })
        await broken.stop()
    }

    @Test func timeoutsAreRetriedThenReported() async throws {
        let test = try await TestServer.start(knobs: FaultKnobs(responseDelay: 1.5))
        let client = try test.client(retry: RetryPolicy(maxTransientRetries: 1, baseBackoff: 0.01),
                                     requestTimeout: 0.2)
        do {
            _ = try await client.query(model: 0, prompt: "slow")
            Issue.record("expected a timeout")
        } catch {
            guard case .transport(let transport, let attempts) = error else {
                Issue.record("wrong error \(error)"); return
            }
            #expect(transport.kind == .timeout)
            #expect(attempts == 2)
            #expect(error.description.hasPrefix("No response after 2 attempts: HTTP request to http://127.0.0.1:"))
        }
        await test.stop()
    }

    @Test func malformedBodiesAreRetriedThenReported() async throws {
        let test = try await TestServer.start(knobs: FaultKnobs(malformedRate: 1))
        let client = try test.client(retry: RetryPolicy(maxTransientRetries: 2, baseBackoff: 0.01))
        do {
            _ = try await client.query(model: 0, prompt: "p")
            Issue.record("expected an error")
        } catch {
            guard case .malformedResponse(200, _, "POST /query?model=0", 3) = error else {
                Issue.record("wrong error \(error)"); return
            }
        }
        // Malformed answers were still counted: the client says how many it may have paid.
        #expect(await test.server.counts() == ["alice": [0: 3]])
        await test.stop()
    }

    @Test func droppedConnectionsAreRetried() async throws {
        let test = try await TestServer.start(knobs: FaultKnobs(dropRate: 0.5, seed: 11))
        let client = try test.client(retry: RetryPolicy(maxTransientRetries: 10, baseBackoff: 0.01))
        var attempts = 0
        for index in 0..<8 { attempts += try await client.query(model: 1, prompt: "d\(index)").attempts }
        let counted = await test.server.counts()["alice"]?[1] ?? 0
        #expect(attempts > 8)
        #expect(counted == attempts)  // each dropped attempt was counted by the server
        await test.stop()
    }

    @Test func refusedConnectionIsATransportError() async throws {
        let test = try await TestServer.start()
        let url = test.server.baseURL
        await test.stop()
        let client = try MLMACClient(
            configuration: .init(baseURL: url, retry: RetryPolicy(maxTransientRetries: 1, baseBackoff: 0.01)),
            token: APIToken(testSecret), sleeper: RecordingSleeper())
        do {
            _ = try await client.status()
            Issue.record("expected an error")
        } catch {
            guard case .transport(let transport, 0) = error else { Issue.record("wrong error \(error)"); return }
            #expect(transport.kind == .connect)
        }
    }
}

@Suite("CurlTransportPool")
struct CurlTransportPoolTests {
    @Test func poolRunsRequestsConcurrently() async throws {
        // Each answer is held 2 s at the server, so requests sent together overlap there;
        // the server records how many it was answering at once (no wall-clock assertion).
        let test = try await TestServer.start(knobs: FaultKnobs(responseDelay: 2.0))
        let client = try MLMACClient(configuration: .init(baseURL: test.server.baseURL), token: APIToken(testSecret),
                                     transport: CurlTransportPool(size: 3))
        try await withThrowingTaskGroup(of: Int.self) { group in
            for model in 0..<3 { group.addTask { try await client.query(model: model, prompt: "p").attempts } }
            for try await attempts in group { #expect(attempts == 1) }
        }
        #expect(await test.server.peakConcurrentQueries() == 3)
        #expect(await test.server.counts() == ["alice": [0: 1, 1: 1, 2: 1]])
        await test.stop()
    }
}

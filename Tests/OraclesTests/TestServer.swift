import Common
import Foundation
import Oracles
import SimulatorServer
import Transport

/// The token every test server accepts. Distinctive, so a leak is easy to grep for.
let testSecret = "sk-TEST-9f8e7d6c5b4a-SECRET"

/// A clock the test advances itself: the simulator's time for rate limits and loading.
final class ManualClock: Sendable {
    private let seconds = Locked(0.0)
    var now: @Sendable () -> Double { { [seconds] in seconds.value } }
    func advance(_ s: Double) { seconds.withLock { $0 += s } }
}

/// Records every wait the client asks for and really waits `scale` times as long; with a
/// `clock`, advances it instead, so the server sees the wait without the test taking it.
actor RecordingSleeper: Sleeper {
    let scale: Double
    let clock: ManualClock?
    private(set) var waits: [Double] = []

    init(scale: Double = 0, clock: ManualClock? = nil) {
        self.scale = scale
        self.clock = clock
    }

    func sleep(seconds: Double) async throws {
        waits.append(seconds)
        if let clock { clock.advance(seconds); return }
        if scale > 0 { try await Task.sleep(for: .seconds(seconds * scale)) }
    }
}

/// Collects the simulator's log lines.
final class LogCollector: Sendable {
    private let lines = Locked<[String]>([])
    var all: [String] { lines.value }
    var sink: @Sendable (String) -> Void { { [lines] line in lines.withLock { $0.append(line) } } }
}

/// A simulator on a free loopback port, stopped by `stop()`.
struct TestServer {
    let server: SimulatorServer
    let logs: LogCollector

    static func start(knobs: FaultKnobs = .none, models: Int = 4, clock: ManualClock? = nil) async throws -> TestServer {
        let logs = LogCollector()
        let server = try await SimulatorServer.start(
            responder: SeededResponder(modelCount: models, seed: 7),
            tokens: TokenRegistry(tokens: [testSecret: "alice"]), knobs: knobs, log: logs.sink,
            now: clock?.now ?? SimulatorServer.monotonicSeconds)
        return TestServer(server: server, logs: logs)
    }

    func client(token: String = testSecret, retry: RetryPolicy = RetryPolicy(maxTransientRetries: 3, baseBackoff: 0.01),
                requestTimeout: Double = 120, sleeper: any Sleeper = RecordingSleeper(),
                onLoadingWait: (@Sendable (String) -> Void)? = nil) throws -> MLMACClient {
        // Loopback answers in milliseconds; generous limits keep a loaded machine (the whole
        // suite in parallel beside a build) from turning slowness into retries that the
        // server counts twice. Tests of timeouts pass their own.
        try MLMACClient(
            configuration: .init(baseURL: server.baseURL + "/", connectTimeout: 30,
                                 requestTimeout: requestTimeout, retry: retry, onLoadingWait: onLoadingWait),
            token: APIToken(token), sleeper: sleeper)
    }

    func stop() async { await server.stop() }
}

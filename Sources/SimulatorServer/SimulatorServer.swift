import Foundation
import Hummingbird
import Logging

/// An MLMAC-compatible API server (`mlmac-api.yml`) on a local address, serving the
/// fine-tunes of a `FineTuneResponder` with per-token query counts and fault knobs.
///
/// ```swift
/// let server = try await SimulatorServer.start(
///     responder: SeededResponder(), tokens: TokenRegistry(tokens: ["t0k3n": "alice"]))
/// // ... talk to http://127.0.0.1:\(server.port)
/// await server.stop()
/// ```
public final class SimulatorServer: Sendable {
    /// The port the server listens on (the one picked by the system when 0 was asked).
    public let port: Int
    public let host: String
    private let task: Task<Void, any Error>
    private let state: SimulatorState

    private init(port: Int, host: String, task: Task<Void, any Error>, state: SimulatorState) {
        self.port = port
        self.host = host
        self.task = task
        self.state = state
    }

    /// `http://host:port`, the base URL for a client.
    public var baseURL: String { "http://\(host):\(port)" }

    /// Starts listening and returns once the socket is bound.
    /// - Parameters:
    ///   - host: address to bind; loopback by default.
    ///   - port: 0 picks a free port.
    ///   - log: receives one line per request (never a token); default: standard error.
    ///   - now: seconds on a monotonic clock, for rate limits and loading (a test passes a clock
    ///     it advances itself, so nothing depends on how fast the machine is).
    public static func start(
        responder: any FineTuneResponder, tokens: TokenRegistry, knobs: FaultKnobs = .none,
        host: String = "127.0.0.1", port: Int = 0,
        log: @escaping @Sendable (String) -> Void = SimulatorServer.standardErrorLog,
        now: @escaping @Sendable () -> Double = SimulatorServer.monotonicSeconds
    ) async throws(SimulatorError) -> SimulatorServer {
        let state = SimulatorState(knobs: knobs, now: now)
        let created = ISO8601DateFormatter().string(from: Date())
        let httpResponder = SimulatorResponder(models: responder, tokens: tokens, state: state,
                                               knobs: knobs, created: created, log: log)
        var logger = Logger(label: "attrib.simulator")
        logger.logLevel = .critical
        let (bound, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            responder: httpResponder,
            configuration: .init(address: .hostname(host, port: port), serverName: "attrib-simulator"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? -1)
                continuation.finish()
            },
            logger: logger)
        let task = Task {
            defer { continuation.finish() }
            try await app.runService(gracefulShutdownSignals: [])
        }
        var iterator = bound.makeAsyncIterator()
        guard let actual = await iterator.next(), actual > 0 else {
            task.cancel()
            let reason: String
            switch await task.result {
            case .failure(let error): reason = "\(error)"
            case .success: reason = "the server stopped at once"
            }
            throw .bind(host: host, port: port, reason: reason)
        }
        return SimulatorServer(port: actual, host: host, task: task, state: state)
    }

    /// Stops accepting requests and waits for the server to shut down.
    public func stop() async {
        task.cancel()
        _ = await task.result
    }

    /// Query counts so far, by user name then model.
    public func counts() async -> [String: [Int: Int]] { await state.allCounts() }

    /// Seconds since an arbitrary origin on the system's monotonic clock.
    public static let monotonicSeconds: @Sendable () -> Double = {
        let origin = ContinuousClock.now
        return {
            let d = ContinuousClock.now - origin
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
    }()

    /// The most queries the server was answering at once (between admission and answer, the
    /// response delay included): a client's real concurrency, read from the server's side.
    public func peakConcurrentQueries() async -> Int { await state.peakInFlight }

    /// How many times each prompt was answered for user `user`, by model then prompt
    /// (crash tests count duplicates with it).
    public func promptCounts(user: String) async -> [Int: [String: Int]] { await state.promptCounts(user: user) }

    /// Writes a log line to standard error.
    public static let standardErrorLog: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

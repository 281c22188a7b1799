import Common
import Foundation
import Oracles
import Simulation
import SimulatorServer
import Transport

/// Where a job's answers come from. Each case opens to an `Oracle`; a paid one is asked only
/// through the query journal (`AttributionJob.Prepared.run`).
///
/// To add a source (a replay log, an OpenAI-compatible API): implement `Oracle` for it in the
/// module that owns its wire format or data, add a case here, and open it in `open`.
public enum OracleSource: Sendable {
    /// A live MLMAC-compatible API (paid; `GET /status` reconciles the journal).
    case mlmac(url: String, token: APIToken)
    /// A built zoo served by the simulator over loopback HTTP with a fresh token, and asked
    /// through the MLMAC client exactly as a live API would be (what `attrib demo` runs).
    /// `responseSeed` seeds the simulator's sampling of answers.
    case simulatedZoo(manifest: ZooManifest, directory: URL, responseSeed: UInt64)
    /// A query log replayed: each model answers from its own logged pairs (`ReplayOracle`); free.
    case replay(QueryLog)
    /// Suspects behind an OpenAI-compatible completions API (paid, no counts to reconcile):
    /// model `k` is `targets[k]`, asked at `temperature` for `maxTokens` new tokens.
    case openAI(targets: [OpenAICompletionsOracle.Target], temperature: Double, maxTokens: Int, token: APIToken?)

    /// Opens the source, runs `body` on it and closes it, whether `body` returns or throws:
    /// the one way a caller uses a source.
    /// `log` hears what a person waiting should know (a model still loading, and for how long).
    public func using<T: Sendable>(concurrency: Int, log: @escaping @Sendable (String) -> Void = { _ in },
                                   _ body: (OpenedOracle) async throws -> T) async throws -> T {
        let opened = try await open(concurrency: concurrency, log: log)
        do {
            let result = try await body(opened)
            await opened.close()
            return result
        } catch {
            await opened.close()
            throw error
        }
    }

    /// Connects (or starts the simulator). `concurrency`: requests in flight at once.
    func open(concurrency: Int, log: @escaping @Sendable (String) -> Void = { _ in }) async throws -> OpenedOracle {
        switch self {
        case .mlmac(let url, let token):
            let client = try MLMACClient(configuration: .init(baseURL: url, onLoadingWait: log), token: token,
                                         transport: CurlTransportPool(size: concurrency))
            return OpenedOracle(oracle: client, paid: true, description: "the MLMAC API at \(url)") {}
        case .openAI(let targets, let temperature, let maxTokens, let token):
            let oracle = try OpenAICompletionsOracle(targets: targets, temperature: temperature, maxTokens: maxTokens, token: token,
                                                     transport: CurlTransportPool(size: concurrency))
            let urls = Set(targets.map(\.url)).sorted().joined(separator: ", ")
            return OpenedOracle(oracle: oracle, paid: true, description: "the OpenAI-compatible API at \(urls)") {}
        case .replay(let log):
            return OpenedOracle(oracle: ReplayOracle(log: log), paid: false,
                                description: "a replay of \(log.records.count) logged queries") {}
        case .simulatedZoo(let manifest, let directory, let responseSeed):
            var rng = SystemRandomNumberGenerator()
            let secret = "demo-" + String(rng.next(), radix: 36) + String(rng.next(), radix: 36)
            let responder = try ZooResponder(manifest: manifest, directory: directory, seed: responseSeed)
            let server = try await SimulatorServer.start(responder: responder, tokens: TokenRegistry(tokens: [secret: "demo"]), log: { _ in })
            let token = try APIToken(secret, source: "the simulator's token")
            do {
                let client = try MLMACClient(configuration: .init(baseURL: server.baseURL), token: token,
                                             transport: CurlTransportPool(size: concurrency))
                return OpenedOracle(oracle: client, paid: true, description: "the simulator of zoo \(manifest.name) at \(server.baseURL)") {
                    await server.stop()
                }
            } catch {
                await server.stop()
                throw error
            }
        }
    }
}

/// An opened source: its oracle, whether its queries are paid, and how to close it.
public struct OpenedOracle: Sendable {
    public let oracle: any Oracle
    /// Whether the source counts queries (then a run must journal them).
    public let paid: Bool
    /// The source in words, for progress lines.
    public let description: String
    private let closer: @Sendable () async -> Void

    public init(oracle: any Oracle, paid: Bool, description: String, close: @escaping @Sendable () async -> Void) {
        self.oracle = oracle
        self.paid = paid
        self.description = description
        closer = close
    }

    /// Stops what `open` started (the simulator); idempotent for sources with nothing to stop.
    public func close() async { await closer() }
}

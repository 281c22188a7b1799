import Common

/// The one retry loop of the HTTP clients (the MLMAC client, the OpenAI-compatible oracle):
/// sends a request until it gets a usable 200 or its `RetryPolicy` says stop.
///
/// Each response, in this order:
/// - `special`, when the client passes one, sees it first and may claim it: it returns the
///   wait in seconds before the next attempt, or throws; nil leaves the response to the rules
///   below. The MLMAC client claims its "currently loading" 503s this way.
/// - 200: `parse` makes the answer of it. A body that does not parse (`BadField`) is a
///   transient failure when `Rules.retriesMalformedResponses`, else
///   `APIError.malformedResponse` at once.
/// - 401, 403: `APIError.unauthorized`, not retried.
/// - 429: waits `Retry-After` (clamped to `maxSingleWait`), or else the backoff for the n-th
///   429, at most `maxRateLimitRetries` times; then `APIError.rateLimited`.
/// - 500-599: a transient failure; once they are spent, `APIError.serverError`.
/// - any other status: `APIError.unexpectedStatus` with the body's first 200 characters,
///   the token redacted.
///
/// No response at all (`TransportError`) is a transient failure too, except TLS and local
/// failures, which fail at once unless `Rules.retriesTLSAndLocalFailures`; once transient
/// failures are spent, `APIError.transport`. Transient failures are counted together and
/// retried `maxTransientRetries` times, the n-th after the seeded equal-jitter backoff
/// (`RetryPolicy.backoff`). Every wait goes through the `Sleeper`; a sleep that throws
/// (cancellation) is `APIError.cancelled`.
///
/// `attempts`, handed to `special`, `parse` and every error, counts the requests that may
/// have reached the server: every response, and every transport failure except a refused
/// connection (which is counted too when `Rules.countsRefusedConnections`).
///
/// A client keeps one exchange: its jitter generator, seeded with `RetryPolicy.jitterSeed`,
/// is shared by all of the client's requests and drawn in the order their waits are computed.
/// The class is not `Sendable`; it lives inside the client actor, and `send` runs on the
/// caller's actor (its `isolation` parameter), so requests interleaving at its suspension
/// points draw from the one sequence.
public final class RetryingExchange {
    /// The points where clients' retries differ. The defaults are the MLMAC client's.
    public struct Rules: Sendable, Equatable {
        /// Whether a refused connection (`TransportError.Kind.connect`), which never reached
        /// the server, counts as an attempt.
        public var countsRefusedConnections: Bool
        /// Whether TLS and local transport failures are retried like timeouts and resets.
        public var retriesTLSAndLocalFailures: Bool
        /// Whether a 200 whose body does not parse is retried as a transient failure.
        public var retriesMalformedResponses: Bool

        public init(countsRefusedConnections: Bool = false, retriesTLSAndLocalFailures: Bool = false,
                    retriesMalformedResponses: Bool = true) {
            self.countsRefusedConnections = countsRefusedConnections
            self.retriesTLSAndLocalFailures = retriesTLSAndLocalFailures
            self.retriesMalformedResponses = retriesMalformedResponses
        }
    }

    public let policy: RetryPolicy
    public let rules: Rules
    private let transport: any HTTPTransport
    private let sleeper: any Sleeper
    /// Redacts server text put into errors; nil when the client sends no token.
    private let token: APIToken?
    private var jitter: SeededGenerator

    public init(policy: RetryPolicy, rules: Rules = Rules(), transport: any HTTPTransport,
                sleeper: any Sleeper, token: APIToken?) {
        self.policy = policy
        self.rules = rules
        self.transport = transport
        self.sleeper = sleeper
        self.token = token
        jitter = SeededGenerator(seed: policy.jitterSeed)
    }

    /// Sends `request` until `parse` accepts a 200 or the policy says stop (see the type).
    /// `endpoint` names the request in errors, e.g. `POST /query?model=3`.
    public func send<T>(
        _ request: HTTPRequest, endpoint: String,
        isolation: isolated (any Actor)? = #isolation,
        special: (HTTPResponse, _ attempts: Int) throws(APIError) -> Double? = { _, _ in nil },
        parse: (HTTPResponse, _ attempts: Int) throws(BadField) -> T
    ) async throws(APIError) -> T {
        var attempts = 0, transientFailures = 0, rateLimits = 0
        while true {
            let response: HTTPResponse
            do {
                response = try await transport.send(request)
                attempts += 1
            } catch {
                if error.kind != .connect || rules.countsRefusedConnections { attempts += 1 }
                let retried = rules.retriesTLSAndLocalFailures || (error.kind != .local && error.kind != .tls)
                guard retried, transientFailures < policy.maxTransientRetries else {
                    throw .transport(error, attempts: attempts)
                }
                transientFailures += 1
                try await pause(policy.backoff(failure: transientFailures, using: &jitter), endpoint, attempts)
                continue
            }
            let wait: Double
            if let claimed = try special(response, attempts) {
                wait = claimed
            } else {
                switch response.status {
                case 200:
                    do { return try parse(response, attempts) } catch {
                        guard rules.retriesMalformedResponses, transientFailures < policy.maxTransientRetries else {
                            throw .malformedResponse(status: 200, field: error.field, endpoint: endpoint, attempts: attempts)
                        }
                        transientFailures += 1
                        wait = policy.backoff(failure: transientFailures, using: &jitter)
                    }
                case 401, 403:
                    throw .unauthorized(status: response.status, endpoint: endpoint)
                case 429:
                    guard rateLimits < policy.maxRateLimitRetries else {
                        throw .rateLimited(endpoint: endpoint, attempts: attempts)
                    }
                    rateLimits += 1
                    wait = policy.retryAfter(response.header("Retry-After"))
                        ?? policy.backoff(failure: rateLimits, using: &jitter)
                case 500...599:
                    guard transientFailures < policy.maxTransientRetries else {
                        throw .serverError(status: response.status, endpoint: endpoint, attempts: attempts)
                    }
                    transientFailures += 1
                    wait = policy.backoff(failure: transientFailures, using: &jitter)
                default:
                    let text = token.map { $0.redact(response.bodyText) } ?? response.bodyText
                    throw .unexpectedStatus(status: response.status, endpoint: endpoint,
                                            bodyExcerpt: String(text.prefix(200)))
                }
            }
            try await pause(wait, endpoint, attempts)
        }
    }

    /// Sleeps `seconds` through the sleeper; its throwing (cancellation) ends the exchange.
    private func pause(_ seconds: Double, _ endpoint: String, _ attempts: Int,
                       isolation: isolated (any Actor)? = #isolation) async throws(APIError) {
        do { try await sleeper.sleep(seconds: seconds) } catch {
            throw .cancelled(endpoint: endpoint, attempts: attempts)
        }
    }
}

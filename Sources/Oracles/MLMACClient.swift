import Common
import Foundation

/// Client of the MLMAC API (`mlmac-api.yml`) or any compatible server.
///
/// `query` sends `POST {baseURL}/query?model=N` with `Authorization: Bearer` and
/// `{"input": prompt}`; `status` sends `GET {baseURL}/status`. Retries follow `RetryPolicy`:
/// loading 503s wait `estimated_time`, 429s honour `Retry-After`, transient failures back off
/// with seeded jitter, and every other answer becomes an `MLMACError` sentence.
/// Requests through one client share one connection and run one at a time.
public actor MLMACClient {
    /// Where and how to connect. Times in seconds.
    public struct Configuration: Sendable {
        /// e.g. `https://api.mlmac.io:8080` or `http://127.0.0.1:8080`; a trailing `/` is ignored.
        public var baseURL: String
        public var connectTimeout: Double
        /// Limit for one request, response included.
        public var requestTimeout: Double
        public var retry: RetryPolicy

        public init(baseURL: String, connectTimeout: Double = 10, requestTimeout: Double = 120,
                    retry: RetryPolicy = RetryPolicy()) {
            self.baseURL = baseURL
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.retry = retry
        }
    }

    public let configuration: Configuration
    private let token: APIToken
    private let transport: any HTTPTransport
    private let sleeper: any Sleeper
    private var jitter: SeededGenerator
    private let base: String

    /// - Throws: `MLMACError.invalidRequest` when `baseURL` is not an http(s) URL.
    public init(configuration: Configuration, token: APIToken,
                transport: any HTTPTransport = CurlTransport(),
                sleeper: any Sleeper = TaskSleeper()) throws(MLMACError) {
        var base = configuration.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw .invalidRequest(reason: "the base URL \(base) is not an http or https URL")
        }
        self.base = base
        self.configuration = configuration
        self.token = token
        self.transport = transport
        self.sleeper = sleeper
        jitter = SeededGenerator(seed: configuration.retry.jitterSeed)
    }

    public func query(model: Int, prompt: String) async throws(MLMACError) -> MLMACQueryResult {
        guard model >= 0 else { throw .invalidRequest(reason: "model \(model) is negative") }
        let endpoint = "POST /query?model=\(model)"
        let request = makeRequest(.post, path: "/query?model=\(model)",
                                  body: MLMACWire.encodeInput(prompt))
        return try await exchange(request, endpoint: endpoint, model: model) { (response, attempts) throws(MLMACWire.BadField) in
            let body = try MLMACWire.decodeQuery(response.body)
            guard let text = body.result?.generated_text else {
                throw MLMACWire.BadField(field: "result.generated_text")
            }
            let counts = try MLMACWire.counts(body.queries ?? [:])
            return MLMACQueryResult(model: model, prompt: prompt, generatedText: text,
                                    queryCounts: counts, attempts: attempts)
        }
    }

    public func status() async throws(MLMACError) -> MLMACStatus {
        let request = makeRequest(.get, path: "/status", body: [])
        return try await exchange(request, endpoint: "GET /status", model: nil) { (response, _) throws(MLMACWire.BadField) in
            try MLMACWire.decodeStatus(response.body)
        }
    }

    private func makeRequest(_ method: HTTPRequest.Method, path: String, body: [UInt8]) -> HTTPRequest {
        var headers: [(name: String, value: String)] = [
            ("Authorization", token.authorizationValue), ("Accept", "application/json"),
        ]
        if method == .post { headers.append(("Content-Type", "application/json")) }
        return HTTPRequest(method: method, url: base + path, headers: headers, body: body,
                           connectTimeout: configuration.connectTimeout,
                           totalTimeout: configuration.requestTimeout)
    }

    /// Sends `request` until it gets a usable 200 or the policy says stop.
    private func exchange<T>(
        _ request: HTTPRequest, endpoint: String, model: Int?,
        parse: (HTTPResponse, Int) throws(MLMACWire.BadField) -> T
    ) async throws(MLMACError) -> T {
        let policy = configuration.retry
        var attempts = 0, transientFailures = 0, rateLimits = 0
        var loadingWaited = 0.0
        while true {
            let wait: Double
            let response: HTTPResponse
            do {
                response = try await transport.send(request)
                attempts += 1
            } catch {
                // A refused connection never reached the server; anything else may have.
                if error.kind != .connect { attempts += 1 }
                guard error.kind != .local, error.kind != .tls,
                      transientFailures < policy.maxTransientRetries else {
                    throw .transport(error, attempts: attempts)
                }
                transientFailures += 1
                try await pause(policy.backoff(failure: transientFailures, using: &jitter),
                                endpoint, attempts)
                continue
            }
            switch response.status {
            case 200:
                do { return try parse(response, attempts) } catch {
                    guard transientFailures < policy.maxTransientRetries else {
                        throw .malformedResponse(status: 200, field: error.field,
                                                 endpoint: endpoint, attempts: attempts)
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
            case 503 where Self.loadingEstimate(response) != nil:
                let estimate = Self.loadingEstimate(response) ?? 0
                let step = min(max(estimate, policy.minLoadingWait), policy.maxSingleWait)
                guard loadingWaited + step <= policy.maxLoadingWait else {
                    throw .modelStillLoading(model: model ?? -1, waitedSeconds: loadingWaited,
                                             attempts: attempts)
                }
                loadingWaited += step
                wait = step
            case 500...599:
                guard transientFailures < policy.maxTransientRetries else {
                    throw .serverError(status: response.status, endpoint: endpoint,
                                       attempts: attempts)
                }
                transientFailures += 1
                wait = policy.backoff(failure: transientFailures, using: &jitter)
            default:
                let excerpt = String(token.redact(response.bodyText).prefix(200))
                throw .unexpectedStatus(status: response.status, endpoint: endpoint,
                                        bodyExcerpt: excerpt)
            }
            try await pause(wait, endpoint, attempts)
        }
    }

    private func pause(_ seconds: Double, _ endpoint: String, _ attempts: Int) async throws(MLMACError) {
        do { try await sleeper.sleep(seconds: seconds) } catch {
            throw .cancelled(endpoint: endpoint, attempts: attempts)
        }
    }

    /// `result.estimated_time` (seconds) of a "currently loading" 503 body, if it is one.
    static func loadingEstimate(_ response: HTTPResponse) -> Double? {
        guard let body = try? MLMACWire.decodeQuery(response.body),
              body.result?.error == "currently loading" else { return nil }
        return body.result?.estimated_time ?? 0
    }
}

import Foundation
import Transport

/// Client of the MLMAC API (`mlmac-api.yml`) or any compatible server.
///
/// `query` sends `POST {baseURL}/query?model=N` with `Authorization: Bearer` and
/// `{"input": prompt}`; `status` sends `GET {baseURL}/status`. Retries are the shared
/// `RetryingExchange`'s, per `RetryPolicy`: 429s honour `Retry-After`, transient failures back
/// off with seeded jitter, and loading 503s (which this client claims) wait `estimated_time`;
/// every other answer becomes an `APIError` sentence.
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
        /// Told before each wait for a loading model: a line for a person ("model 3 is loading:
        /// waiting 20 s, 40 s so far, at most 900 s").
        public var onLoadingWait: (@Sendable (String) -> Void)?

        public init(baseURL: String, connectTimeout: Double = 10, requestTimeout: Double = 120,
                    retry: RetryPolicy = RetryPolicy(), onLoadingWait: (@Sendable (String) -> Void)? = nil) {
            self.onLoadingWait = onLoadingWait
            self.baseURL = baseURL
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.retry = retry
        }
    }

    public let configuration: Configuration
    private let token: APIToken
    private let exchange: RetryingExchange
    private let base: String

    /// - Throws: `APIError.invalidRequest` when `baseURL` is not an http(s) URL.
    public init(configuration: Configuration, token: APIToken,
                transport: any HTTPTransport = CurlTransport(),
                sleeper: any Sleeper = TaskSleeper()) throws(APIError) {
        var base = configuration.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw .invalidRequest(reason: "the base URL \(base) is not an http or https URL")
        }
        self.base = base
        self.configuration = configuration
        self.token = token
        exchange = RetryingExchange(policy: configuration.retry, transport: transport, sleeper: sleeper, token: token)
    }

    public func query(model: Int, prompt: String) async throws(APIError) -> MLMACQueryResult {
        guard model >= 0 else { throw .invalidRequest(reason: "model \(model) is negative") }
        let endpoint = "POST /query?model=\(model)"
        let request = makeRequest(.post, path: "/query?model=\(model)",
                                  body: MLMACWire.encodeInput(prompt))
        return try await send(request, endpoint: endpoint, model: model) { (response, attempts) throws(BadField) in
            let body = try MLMACWire.decodeQuery(response.body)
            guard let text = body.result?.generated_text else {
                throw BadField(field: "result.generated_text")
            }
            let counts = try MLMACWire.counts(body.queries ?? [:])
            return MLMACQueryResult(model: model, prompt: prompt, generatedText: text,
                                    queryCounts: counts, attempts: attempts)
        }
    }

    public func status() async throws(APIError) -> MLMACStatus {
        let request = makeRequest(.get, path: "/status", body: [])
        return try await send(request, endpoint: "GET /status", model: nil) { (response, _) throws(BadField) in
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

    /// Sends `request` through the client's `RetryingExchange`, which claims the MLMAC API's
    /// loading 503s for it: each waits its `estimated_time`, clamped to
    /// `minLoadingWait...maxSingleWait` seconds, until `maxLoadingWait` seconds have been spent
    /// waiting in all; then `APIError.modelStillLoading`.
    private func send<T>(
        _ request: HTTPRequest, endpoint: String, model: Int?,
        parse: (HTTPResponse, Int) throws(BadField) -> T
    ) async throws(APIError) -> T {
        let policy = configuration.retry
        var loadingWaited = 0.0
        return try await exchange.send(request, endpoint: endpoint, special: { (response, attempts) throws(APIError) -> Double? in
            guard response.status == 503, let estimate = Self.loadingEstimate(response) else { return nil }
            let step = min(max(estimate, policy.minLoadingWait), policy.maxSingleWait)
            guard loadingWaited + step <= policy.maxLoadingWait else {
                throw .modelStillLoading(model: model ?? -1, waitedSeconds: loadingWaited, attempts: attempts)
            }
            configuration.onLoadingWait?(String(format: "%@ is loading (the API estimates %.0f s): waiting %.0f s, %.0f s so far, at most %.0f s",
                                                model.map { "model \($0)" } ?? "the API", estimate, step, loadingWaited, policy.maxLoadingWait))
            loadingWaited += step
            return step
        }, parse: parse)
    }

    /// `result.estimated_time` (seconds) of a "currently loading" 503 body, if it is one.
    static func loadingEstimate(_ response: HTTPResponse) -> Double? {
        guard let body = try? MLMACWire.decodeQuery(response.body),
              body.result?.error == "currently loading" else { return nil }
        return body.result?.estimated_time ?? 0
    }
}

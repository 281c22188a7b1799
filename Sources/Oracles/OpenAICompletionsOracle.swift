import Common
import Foundation
import Transport

/// Suspect models behind an OpenAI-compatible completions API (`POST /v1/completions`: llama.cpp's
/// server, vLLM, text-generation-inference, hosted APIs), as a counted `Oracle` like the MLMAC
/// client: behind the same journal, with the same token hygiene and the same retry loop
/// (`RetryingExchange`: 429 honours `Retry-After`, 5xx, timeouts and resets back off with
/// seeded jitter, per `RetryPolicy`). Its rules differ from the MLMAC client's in three ways
/// (`rules`): every request counts as an attempt, refused connections included; TLS and local
/// transport failures are retried too; a 200 without `choices.0.text` fails at once. Failures
/// are `APIError`s.
///
/// Model `k` of the run is `targets[k]` (a URL and the model name sent there). The run's
/// decoding is asked for explicitly: `temperature`, `max_tokens` new tokens, `top_p` 1, and
/// the extensions llama.cpp's server and vLLM read to switch off their other samplers
/// (`top_k` 0, `min_p` 0, repetition penalties 1); other servers ignore them. The answer's
/// `text` is the continuation; the API keeps no counts (`queryCounts` is nil).
public actor OpenAICompletionsOracle: Oracle {
    public struct Target: Sendable, Hashable {
        public var url: String
        public var model: String
        public init(url: String, model: String) {
            self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
            self.model = model
        }
    }

    public let targets: [Target]
    public let temperature: Double
    public let maxTokens: Int
    private let token: APIToken?
    private let exchange: RetryingExchange

    /// Where this client's retries differ from the MLMAC client's (see the type).
    static let rules = RetryingExchange.Rules(countsRefusedConnections: true, retriesTLSAndLocalFailures: true,
                                              retriesMalformedResponses: false)

    public init(targets: [Target], temperature: Double, maxTokens: Int, token: APIToken?, transport: any HTTPTransport,
                retry: RetryPolicy = RetryPolicy(), sleeper: any Sleeper = TaskSleeper()) throws(APIError) {
        guard !targets.isEmpty else { throw .invalidRequest(reason: "an OpenAI-compatible API needs at least one model") }
        guard maxTokens >= 1 else { throw .invalidRequest(reason: "max_tokens must be at least 1, not \(maxTokens)") }
        self.targets = targets
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.token = token
        exchange = RetryingExchange(policy: retry, rules: Self.rules, transport: transport, sleeper: sleeper, token: token)
    }

    struct Request: Encodable {
        var model: String
        var prompt: String
        var max_tokens: Int
        var temperature: Double
        var top_p = 1.0
        var n = 1
        var stream = false
        var top_k = 0
        var min_p = 0.0
        var repeat_penalty = 1.0
        var repetition_penalty = 1.0
        var presence_penalty = 0.0
        var frequency_penalty = 0.0
    }

    struct Response: Decodable {
        struct Choice: Decodable { var text: String }
        var choices: [Choice]
    }

    public func ask(model: Int, prompt: String) async throws -> OracleAnswer {
        guard targets.indices.contains(model) else {
            throw APIError.invalidRequest(reason: "model \(model) is not one of the \(targets.count) models of the OpenAI-compatible API (0...\(targets.count - 1))")
        }
        let target = targets[model]
        let body = Request(model: target.model, prompt: prompt, max_tokens: maxTokens, temperature: temperature)
        let endpoint = target.url + "/v1/completions"
        var headers = [("Content-Type", "application/json")]
        if let token { headers.append(("Authorization", token.authorizationValue)) }
        let request = HTTPRequest(method: .post, url: endpoint, headers: headers,
                                  body: Array(try JSONEncoder().encode(body)), connectTimeout: 10, totalTimeout: 120)
        return try await exchange.send(request, endpoint: endpoint) { (response, attempts) throws(BadField) in
            guard let decoded = try? JSONDecoder().decode(Response.self, from: Data(response.body)),
                  let text = decoded.choices.first?.text else { throw BadField(field: "choices.0.text") }
            return OracleAnswer(generatedText: text, continuation: text, promptEchoed: false, attempts: attempts)
        }
    }

    public func queryCounts() async throws -> [Int: Int]? { nil }
}

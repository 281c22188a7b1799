import Oracles
import Testing
import Transport

/// Answers each request with the next scripted response or transport failure.
actor ScriptedTransport: HTTPTransport {
    private var steps: [Result<HTTPResponse, TransportError>]
    private(set) var sends = 0

    init(_ steps: [Result<HTTPResponse, TransportError>]) { self.steps = steps }

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        sends += 1
        guard !steps.isEmpty else { return HTTPResponse(status: 418) }
        switch steps.removeFirst() {
        case .success(let response): return response
        case .failure(let error): throw error
        }
    }
}

/// The shared retry loop as each client uses it, on scripted transports: the waits (seconds)
/// are the seeded jitter sequence of seed 42, drawn in the order the failures come.
@Suite("One retry loop for the MLMAC and OpenAI-compatible clients")
struct RetryRulesTests {
    static let policy = RetryPolicy(maxTransientRetries: 3, maxRateLimitRetries: 2, maxLoadingWait: 10,
                                    minLoadingWait: 1, maxSingleWait: 6, baseBackoff: 0.5, jitterSeed: 42)
    static let queryOK = #"{"result":{"generated_text":"hello world"},"queries":{"0":3}}"#
    static let completionOK = #"{"choices":[{"text":" world"}]}"#

    static func status(_ code: Int, _ body: String = "", headers: [String: String] = [:]) -> Result<HTTPResponse, TransportError> {
        .success(HTTPResponse(status: code, headers: headers, body: Array(body.utf8)))
    }

    static func failure(_ kind: TransportError.Kind) -> Result<HTTPResponse, TransportError> {
        .failure(TransportError(kind: kind, curlCode: 7, message: "scripted", url: "http://scripted"))
    }

    static func mlmac(_ steps: [Result<HTTPResponse, TransportError>]) throws -> (MLMACClient, ScriptedTransport, RecordingSleeper) {
        let transport = ScriptedTransport(steps), sleeper = RecordingSleeper()
        let client = try MLMACClient(configuration: .init(baseURL: "http://scripted", retry: policy),
                                     token: APIToken(testSecret), transport: transport, sleeper: sleeper)
        return (client, transport, sleeper)
    }

    static func openAI(_ steps: [Result<HTTPResponse, TransportError>]) throws -> (OpenAICompletionsOracle, ScriptedTransport, RecordingSleeper) {
        let transport = ScriptedTransport(steps), sleeper = RecordingSleeper()
        let oracle = try OpenAICompletionsOracle(targets: [.init(url: "http://scripted", model: "m")], temperature: 1, maxTokens: 3,
                                                 token: APIToken(testSecret), transport: transport, retry: policy, sleeper: sleeper)
        return (oracle, transport, sleeper)
    }

    @Test func bothClientsWaitTheSameSeededBackoffs() async throws {
        let (client, _, clientSleeper) = try Self.mlmac([Self.status(500), Self.status(502), Self.status(200, Self.queryOK)])
        #expect(try await client.query(model: 0, prompt: "hello").attempts == 3)
        let (oracle, _, oracleSleeper) = try Self.openAI([Self.status(500), Self.status(502), Self.status(200, Self.completionOK)])
        #expect(try await oracle.ask(model: 0, prompt: "hello").attempts == 3)
        #expect(await clientSleeper.waits == [0.4353912196929558, 0.57995519643846])
        #expect(await oracleSleeper.waits == [0.4353912196929558, 0.57995519643846])
    }

    @Test func rateLimitsHonourRetryAfterThenStop() async throws {
        let (client, transport, sleeper) = try Self.mlmac([
            Self.status(429, headers: ["retry-after": "2"]), Self.status(429), Self.status(429, headers: ["retry-after": "99"]),
        ])
        await #expect(throws: APIError.rateLimited(endpoint: "POST /query?model=0", attempts: 3)) {
            try await client.query(model: 0, prompt: "hello")
        }
        #expect(await sleeper.waits == [2, 0.8707824393859116])
        #expect(await transport.sends == 3)
    }

    @Test func theMLMACClientClaimsLoading503s() async throws {
        let loading = #"{"result":{"error":"currently loading","estimated_time":4.5}}"#
        let (client, _, sleeper) = try Self.mlmac([Self.status(503, loading), Self.status(503, loading), Self.status(503, loading)])
        await #expect(throws: APIError.modelStillLoading(model: 0, waitedSeconds: 9, attempts: 3)) {
            try await client.query(model: 0, prompt: "hello")
        }
        #expect(await sleeper.waits == [4.5, 4.5])
        // The OpenAI-compatible oracle does not: a loading 503 is a 5xx like any other.
        let (oracle, _, oracleSleeper) = try Self.openAI([Self.status(503, loading), Self.status(200, Self.completionOK)])
        #expect(try await oracle.ask(model: 0, prompt: "hello").attempts == 2)
        #expect(await oracleSleeper.waits == [0.4353912196929558])
    }

    @Test func theClientsRulesDifferWhereTheyAlwaysDid() async throws {
        // A refused connection never reached the server: not an attempt for the MLMAC client,
        // an attempt for the OpenAI-compatible oracle.
        let refusedThenOK = [Self.failure(.connect), Self.status(200, Self.queryOK)]
        let (client, _, _) = try Self.mlmac(refusedThenOK)
        #expect(try await client.query(model: 0, prompt: "hello").attempts == 1)
        let (oracle, _, _) = try Self.openAI([Self.failure(.connect), Self.status(200, Self.completionOK)])
        #expect(try await oracle.ask(model: 0, prompt: "hello").attempts == 2)

        // TLS failures: fatal for the MLMAC client, retried by the oracle.
        let (tlsClient, tlsTransport, _) = try Self.mlmac([Self.failure(.tls), Self.status(200, Self.queryOK)])
        await #expect(throws: APIError.self) { try await tlsClient.query(model: 0, prompt: "hello") }
        #expect(await tlsTransport.sends == 1)
        let (tlsOracle, _, _) = try Self.openAI([Self.failure(.tls), Self.status(200, Self.completionOK)])
        #expect(try await tlsOracle.ask(model: 0, prompt: "hello").attempts == 2)

        // A 200 that does not parse: retried by the MLMAC client, fatal for the oracle.
        let (malformedClient, _, _) = try Self.mlmac([Self.status(200, "[]"), Self.status(200, Self.queryOK)])
        #expect(try await malformedClient.query(model: 0, prompt: "hello").attempts == 2)
        let (malformedOracle, _, _) = try Self.openAI([Self.status(200, "[]"), Self.status(200, Self.completionOK)])
        await #expect(throws: APIError.malformedResponse(status: 200, field: "choices.0.text",
                                                         endpoint: "http://scripted/v1/completions", attempts: 1)) {
            try await malformedOracle.ask(model: 0, prompt: "hello")
        }
    }
}

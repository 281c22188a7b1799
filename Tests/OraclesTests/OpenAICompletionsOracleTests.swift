import Common
import Foundation
import Oracles
import SimulatorServer
import Testing
import Transport

/// Echoes the decoding a request asked for, so the test sees what reached the model.
struct DecodingEcho: FineTuneResponder {
    var modelCount: Int { 3 }
    func continuation(model: Int, prompt: String, sample: UInt64) throws -> String { " own" }
    func continuation(model: Int, prompt: String, sample: UInt64, requested: RequestedDecoding) throws -> String {
        " m\(model) t\(requested.temperature.map { String($0) } ?? "-") n\(requested.maxNewTokens.map(String.init) ?? "-") s\(sample)"
    }
}

@Suite("OpenAI-compatible suspects against the simulator on loopback")
struct OpenAICompletionsOracleTests {
    @Test func asksTheRunsDecodingAndIsCounted() async throws {
        let server = try await SimulatorServer.start(responder: DecodingEcho(), tokens: TokenRegistry(tokens: [testSecret: "alice"]), log: { _ in })
        let targets = (0..<3).map { OpenAICompletionsOracle.Target(url: server.baseURL, model: String($0)) }
        let oracle = try OpenAICompletionsOracle(targets: targets, temperature: 3, maxTokens: 7,
                                                 token: try APIToken(testSecret), transport: CurlTransport())
        let first = try await oracle.ask(model: 2, prompt: "Hello")
        let again = try await oracle.ask(model: 2, prompt: "Hello")
        #expect(first.continuation == " m2 t3.0 n7 s0")
        #expect(again.continuation == " m2 t3.0 n7 s1", "a repeated prompt draws a new sample")
        #expect(first.promptEchoed == false && first.generatedText == first.continuation)
        #expect(await server.counts() == ["alice": [2: 2]])
        #expect(try await oracle.queryCounts() == nil)
        await server.stop()
    }

    @Test func refusesAModelItDoesNotKnowAndAWrongKey() async throws {
        let server = try await SimulatorServer.start(responder: DecodingEcho(), tokens: TokenRegistry(tokens: [testSecret: "alice"]), log: { _ in })
        let oracle = try OpenAICompletionsOracle(targets: [.init(url: server.baseURL, model: "0")], temperature: 3, maxTokens: 4,
                                                 token: try APIToken("sk-wrong-key-0123456789"), transport: CurlTransport())
        await #expect(throws: APIError.self) { try await oracle.ask(model: 0, prompt: "x") }
        await #expect(throws: APIError.self) { try await oracle.ask(model: 5, prompt: "x") }
        await server.stop()
    }
}

import Foundation
import Oracles
import SimulatorServer
import Testing
import Transport

/// Checks that need tools from outside the package (Python). They run only when
/// `scripts/spec-conformance.sh` sets the environment variables; otherwise they are skipped.
@Suite("External checks (scripts/spec-conformance.sh)")
struct ExternalCheckTests {
    static let environment = ProcessInfo.processInfo.environment
    static let scriptsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts")

    /// The simulator as the spec describes the real API: models 0 to 23.
    static func server() async throws -> SimulatorServer {
        try await SimulatorServer.start(responder: SeededResponder(modelCount: 24, seed: 2022),
                                        tokens: TokenRegistry(tokens: [testSecret: "spec"]), log: { _ in })
    }

    /// Runs `executable` with `arguments` on its own thread; returns exit code and output.
    static func run(_ executable: String, _ arguments: [String], environment extra: [String: String])
        async throws -> (code: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: executable)
                    process.arguments = arguments
                    process.environment = environment.merging(extra) { $1 }
                    // schemathesis writes a `.schemathesis` cache in its working directory.
                    process.currentDirectoryURL = FileManager.default.temporaryDirectory
                    let pipe = Pipe()
                    process.standardOutput = pipe
                    process.standardError = pipe
                    try process.run()
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
                })
            }.start()
        }
    }

    @Test(.enabled(if: environment["ATTRIB_SCHEMATHESIS"] != nil))
    func schemathesisFindsNoSpecViolation() async throws {
        let server = try await Self.server()
        let spec = Self.environment["ATTRIB_SPEC"] ?? "/work/shared/mlmac/mlmac-api.yml"
        var arguments = ["run", spec, "--url", server.baseURL, "-H", "Authorization: Bearer \(testSecret)"]
        arguments += (Self.environment["ATTRIB_SCHEMATHESIS_ARGS"] ?? "").split(separator: " ").map(String.init)
        let (code, output) = try await Self.run(Self.environment["ATTRIB_SCHEMATHESIS"]!, arguments, environment: [:])
        print(output.replacingOccurrences(of: testSecret, with: "<redacted>"))
        #expect(code == 0)
        await server.stop()
    }

    @Test(.enabled(if: environment["ATTRIB_PYTHON"] != nil))
    func pythonRequestsClientGetsTheSameAnswers() async throws {
        let python = try await Self.server()
        let script = Self.scriptsDirectory.appendingPathComponent("mlmac-requests-check.py").path
        let (code, output) = try await Self.run(Self.environment["ATTRIB_PYTHON"]!, [script],
                                                environment: ["ATTRIB_BASE_URL": python.baseURL, "ATTRIB_TOKEN": testSecret])
        await python.stop()
        try #require(code == 0, "\(output)")
        let lines = output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }

        // The same queries through attrib's client, on a fresh simulator of the same seed.
        let ours = try await Self.server()
        let client = try MLMACClient(configuration: .init(baseURL: ours.baseURL), token: APIToken(testSecret))
        var compared = 0
        for line in lines {
            if let status = line["status"] as? [String: Any] {
                let mine = try await client.status()
                #expect(status["total_queries"] as? Int == mine.totalQueries)
                #expect(status["queries"] as? [String: Int] == Dictionary(uniqueKeysWithValues: mine.queryCounts.map { ("\($0.key)", $0.value) }))
                continue
            }
            let model = try #require(line["model"] as? Int), prompt = try #require(line["prompt"] as? String)
            let mine = try await client.query(model: model, prompt: prompt)
            #expect(mine.generatedText == line["generated_text"] as? String)
            #expect(mine.promptEchoed)
            #expect(line["queries"] as? [String: Int] == Dictionary(uniqueKeysWithValues: mine.queryCounts.map { ("\($0.key)", $0.value) }))
            compared += 1
        }
        #expect(compared == 6)
        await ours.stop()
    }
}

import Foundation
import Oracles
import Testing
@testable import ServerModels
import Transport

/// The real-model installation (`scripts/install-real-models.sh` writes its env file), or nil.
struct RealModels {
    let python: String
    let server: String
    let smollm2: String
    let gemma3: String

    /// Set by `make test` for the second, separate `swift test` run: these tests load the CPU
    /// and would slow the loopback tests of a shared run past their timeouts.
    static let enabled = ProcessInfo.processInfo.environment["ATTRIB_REAL_MODEL_TESTS"] == "1"

    static let installed: RealModels? = {
        guard enabled else { return nil }
        let cache = ProcessInfo.processInfo.environment["ATTRIB_CACHE"] ?? (NSHomeDirectory() + "/.cache/attrib")
        guard let text = try? String(contentsOfFile: cache + "/real-models.env", encoding: .utf8) else { return nil }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        guard let python = values["ATTRIB_REAL_PYTHON"], let server = values["ATTRIB_LLAMA_SERVER"],
              let smol = values["ATTRIB_SMOLLM2_GGUF"], let gemma = values["ATTRIB_GEMMA3_GGUF"],
              [python, server, smol, gemma].allSatisfy(FileManager.default.fileExists(atPath:)) else { return nil }
        return RealModels(python: python, server: server, smollm2: smol, gemma3: gemma)
    }()
}

/// One `llama-server` process on loopback, stopped on `stop()` or deinit.
final class LlamaServer: @unchecked Sendable {
    let process = Process()
    let url: String

    /// Starts the server on `port` and waits (up to 120 s) until `/health` answers 200.
    init(binary: String, model: String, port: Int, slots: Int = 2) throws {
        url = "http://127.0.0.1:\(port)"
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-m", model, "--host", "127.0.0.1", "--port", String(port), "-c", "2048",
                             "-np", String(slots), "-t", "1", "--no-ui", "-fa", "off", "--no-repack"]
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("llama-server-\(port).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            // A server that exits at once could not bind its port: another one answers there.
            guard process.isRunning else {
                throw ServerModelError(url: url, reason: "llama-server exited at start (port in use?); log: \(log.path)")
            }
            let probe = HTTPRequest(method: .get, url: url + "/health", connectTimeout: 1, totalTimeout: 2)
            if let answer = try? BlockingHTTPClient().send(probe), answer.status == 200 { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        stop()
        throw ServerModelError(url: url, reason: "did not become healthy within 120 s (log: \(log.path))")
    }

    func stop() {
        // SIGKILL: llama-server's graceful shutdown on SIGTERM can wait for idle slots forever.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// Runs `scripts/real-models/direct_eval.py` with the real-model venv's Python.
func directEvaluation(_ models: RealModels, request: [String: Any]) throws -> [String: Any] {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/real-models/direct_eval.py").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: models.python)
    process.arguments = [script]
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: request))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0, let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw ServerModelError(url: script, reason: "direct evaluation failed (status \(process.terminationStatus))")
    }
    return object
}

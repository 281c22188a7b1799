import Foundation

/// The real models (`scripts/install-real-models.sh` writes their paths to its env file), or
/// nil: SmolLM2-135M-Instruct and Gemma-3-270M as GGUF files from PyPI, loaded by the worker.
struct RealModels {
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
        guard let smol = values["ATTRIB_SMOLLM2_GGUF"], let gemma = values["ATTRIB_GEMMA3_GGUF"],
              [smol, gemma].allSatisfy(FileManager.default.fileExists(atPath:)) else { return nil }
        return RealModels(smollm2: smol, gemma3: gemma)
    }()
}

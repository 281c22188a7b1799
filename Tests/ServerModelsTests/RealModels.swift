import Foundation
@testable import ServerModels

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

    /// Two workers serving SmolLM2 as replicas of one model (one thread each, quick cooldown):
    /// what the tests that kill a replica start from. The caller stops both.
    func smollm2Replicas() throws -> (first: WorkerProcess, second: WorkerProcess, replicas: ReplicaSet) {
        let first = try WorkerProcess(models: ["smollm2=\(smollm2)"], extra: ["--threads", "1"])
        let second = try WorkerProcess(models: ["smollm2=\(smollm2)"], extra: ["--threads", "1"])
        let replicas = ReplicaSet(endpoints: [ServerEndpoint(url: first.url), ServerEndpoint(url: second.url)],
                                  concurrencyPerReplica: 1, cooldown: 0.2, patience: 60)
        return (first, second, replicas)
    }
}

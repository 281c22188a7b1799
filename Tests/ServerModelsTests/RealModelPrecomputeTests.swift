import AttributionCore
import Engine
import Foundation
import LanguageModels
import Storage
import Testing
@testable import Workflow
@testable import ServerModels

/// Precompute over a real model on two worker replicas: one replica killed mid-precompute is
/// routed around, and a precompute interrupted after some prompts resumes from the store
/// without recomputing them.
@Suite(.serialized, .enabled(if: RealModels.installed != nil, "needs ATTRIB_REAL_MODEL_TESTS=1 and scripts/install-real-models.sh"))
struct RealModelPrecomputeTests {
    @Test func aReplicaKilledMidPrecomputeIsRoutedAroundAndTheStoreResumes() throws {
        let (first, second, replicas) = try #require(RealModels.installed).smollm2Replicas()
        defer { first.stop(); second.stop() }
        let smollm2 = try WorkerLanguageModel.connect(replicas, name: "smollm2")
        let text = try String(contentsOfFile: "/usr/share/common-licenses/GPL-3", encoding: .utf8)
        let ngram = try NGramLanguageModel(tokenizer: .byte, order: 3, documents: [String(text.prefix(20_000))])
        let settings = DecodingSettings(maxNewTokens: 4, maxTotalTokens: nil)
        let models = HypothesisModels(bases: [("smollm2", smollm2, smollm2.identity), ("gpl-byte", ngram, "gpl")], none: [],
                                      settings: settings)
        let space = models.space(noneMass: 0, latentGrid: [0.02, 0.5])
        let builder = TensorBuilder(models: models, space: space, observation: DriftMixtureModel(), samples: 2, seed: 4)
        let prompts = ["The licence", "def main():", "Привет, мир", "東京は"]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("attrib-precompute-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }

        // The first two prompts, with the first replica killed once the first tensor is stored.
        let killed = RealModelFlag()
        let partial = try Precompute(builder: builder, store: ResponseStore(path: path), threads: 1)
            .bank(for: PromptPool(prompts: Array(prompts.prefix(2)))) { done, _ in
                if done >= 1 && killed.set() { first.stop() }
            }
        #expect(partial.computed == 2 && partial.cached == 0)
        let counts = replicas.counts()
        #expect(counts[0].failures >= 1, "the killed replica failed at least once")
        #expect(counts[1].served > 0)

        // A new precompute of the whole pool (as after a crash): the two stored tensors are read, not recomputed.
        let whole = try Precompute(builder: builder, store: ResponseStore(path: path), threads: 1).bank(for: PromptPool(prompts: prompts))
        #expect(whole.cached == 2 && whole.computed == 2)
        #expect(try ResponseStore(path: path).count() == 4)
        for k in 0..<2 { #expect(whole.bank.tensors[k] == partial.bank.tensors[k]) }
    }
}

/// A flag that is set once, from any thread.
final class RealModelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    /// True the first time only.
    func set() -> Bool { lock.lock(); defer { lock.unlock() }; if value { return false }; value = true; return true }
}

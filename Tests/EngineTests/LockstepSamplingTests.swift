import AttributionCore
import Common
import LanguageModels
import Testing
@testable import Engine

/// An n-gram model presented as served in batches, counting its batch calls: what the drift
/// sampler sees of a model on the worker, without a worker.
final class CountingBatchModel: BatchServedLanguageModel, @unchecked Sendable {
    let inner: NGramLanguageModel
    private let lock = Locked(0)
    init(_ inner: NGramLanguageModel) { self.inner = inner }
    var tokenizer: any Tokenizer { inner.tokenizer }
    var batches: Int { lock.value }
    func nextTokenLogProbabilities(context: [Int]) -> [Double] { inner.nextTokenLogProbabilities(context: context) }
    func scoreContinuations(promptTokens: [Int], continuations: [[Int]], settings: DecodingSettings) -> [ContinuationScore] {
        inner.scoreContinuations(promptTokens: promptTokens, continuations: continuations, settings: settings)
    }
    func distributions(contexts: [[Int]]) throws -> [[Double]] {
        lock.withLock { $0 += 1 }
        return contexts.map(inner.nextTokenLogProbabilities)
    }
}

struct LockstepSamplingTests {
    /// Lockstep sampling gives each response the generator it would have had alone: the
    /// responses are exactly those of the one-at-a-time sampler run with those generators,
    /// drift draws included, and the model is asked one batch per position, not per token.
    @Test func lockstepResponsesAreTheOneAtATimeResponsesOfTheirGenerators() throws {
        let base = try EngineFixture.model("GPL-3", .byte, order: 3)
        let served = CountingBatchModel(base)
        let drift = try EngineFixture.model("Apache-2.0", .byte, order: 2)
        let settings = DecodingSettings(temperature: 3, maxTotalTokens: 16)
        let models = HypothesisModels(bases: [("gpl", served, "gpl")], none: [], settings: settings)
            .withDriftModels { _, _ in (drift, "apache-drift") }
        let plain = HypothesisModels(bases: [("gpl", base, "gpl")], none: [], settings: settings)
            .withDriftModels { _, _ in (drift, "apache-drift") }
        var rng = SeededGenerator(seed: 42)
        let lockstep = DriftSampler(models: models).sample(prompt: "The ", hypothesis: 0, eps: 0.3, count: 6, rng: &rng)
        var replay = SeededGenerator(seed: 42)
        let generators = (0..<6).map { _ in SeededGenerator(seed: replay.next()) }
        let alone = generators.map { g -> String in
            var g = g
            return DriftSampler(models: plain).sample(prompt: "The ", hypothesis: 0, eps: 0.3, rng: &g)
        }
        #expect(lockstep == alone)
        #expect(served.batches <= 16 - "The ".utf8.count)
        // A hypothesis whose models are not served in batches is sampled exactly as before.
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7)
        let many = DriftSampler(models: plain).sample(prompt: "The ", hypothesis: 0, eps: 0.3, count: 3, rng: &a)
        #expect(many == (0..<3).map { _ in DriftSampler(models: plain).sample(prompt: "The ", hypothesis: 0, eps: 0.3, rng: &b) })
    }
}

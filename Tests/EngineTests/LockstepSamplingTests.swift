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
    func drawNextTokens(_ requests: [SamplingRequest], settings: DecodingSettings) throws -> [Int] {
        lock.withLock { $0 += 1 }
        return try inner.drawNextTokens(requests, settings: settings)
    }
}

struct LockstepSamplingTests {
    /// Lockstep sampling gives each response a generator of its own and follows the documented
    /// rule: per position, a draw from the drift with probability eps (with that generator),
    /// otherwise the model's draw seeded by one draw of it. The responses are exactly those of
    /// that rule written out one response at a time, and the model is asked one batch per
    /// position, not per token.
    @Test func lockstepResponsesFollowTheRuleOneResponseAtATime() throws {
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
        let prompt = base.tokenizer.encode("The ")
        let limit = settings.newTokenLimit(promptTokenCount: prompt.count)
        let alone = generators.map { g -> String in
            var g = g
            var tokens: [Int] = []
            while tokens.count < limit {
                let token: Int
                if g.nextUnit() < 0.3 {
                    token = drift.sampleNextToken(context: prompt + tokens, settings: settings, using: &g)
                } else {
                    var own = SeededGenerator(seed: g.next())
                    token = base.sampleNextToken(context: prompt + tokens, settings: settings, using: &own)
                }
                if token == base.tokenizer.endOfTextToken { break }
                tokens.append(token)
            }
            return base.tokenizer.decode(tokens)
        }
        #expect(lockstep == alone)
        #expect(served.batches <= 16 - "The ".utf8.count)
        // A hypothesis whose models are not served in batches is sampled exactly as before.
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7)
        let many = DriftSampler(models: plain).sample(prompt: "The ", hypothesis: 0, eps: 0.3, count: 3, rng: &a)
        #expect(many == (0..<3).map { _ in DriftSampler(models: plain).sample(prompt: "The ", hypothesis: 0, eps: 0.3, rng: &b) })
    }
}

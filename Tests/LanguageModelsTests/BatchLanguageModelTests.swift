import Common
import Testing
@testable import LanguageModels

/// The n-gram models' batch is a loop over their own methods: a batch answers exactly what
/// the one-at-a-time calls answer, in request order, and sampling is fixed by each request's seed.
struct BatchLanguageModelTests {
    @Test func aBatchIsExactlyTheRequestsOneByOne() throws {
        let model = try NGramLanguageModel(tokenizer: .byte, order: 3, documents: ["the cat sat on the mat", "a dog ate the hat"])
        let settings = DecodingSettings(temperature: 3, maxTotalTokens: 12)
        let prompts = ["the ", "a d", "", "mat"].map { model.tokenizer.encode($0) }
        let requests = prompts.map { ScoringRequest(context: $0, continuation: model.tokenizer.encode("at t")) }
        let batch = try model.scoreBatch(requests, settings: settings)
        #expect(batch == requests.map { model.scoreContinuation(promptTokens: $0.context, continuationTokens: $0.continuation, settings: settings) })
        let samples = try model.sampleBatch(prompts.enumerated().map { SamplingRequest(prompt: $1, seed: UInt64($0)) }, settings: settings)
        for (k, p) in prompts.enumerated() {
            var generator = SeededGenerator(seed: UInt64(k))
            #expect(samples[k].tokens == model.sample(promptTokens: p, settings: settings, using: &generator).tokens)
            // The MLMAC length rule: prompt and continuation together within the limit, at least one new token.
            #expect(samples[k].tokens.count <= max(settings.minNewTokens, 12 - p.count))
        }
        #expect(try model.sampleBatch([SamplingRequest(prompt: prompts[0], seed: 9)], settings: settings)
                == model.sampleBatch([SamplingRequest(prompt: prompts[0], seed: 9)], settings: settings))
        #expect(try model.distributions(contexts: prompts) == prompts.map { model.nextTokenLogProbabilities(context: $0) })
    }
}

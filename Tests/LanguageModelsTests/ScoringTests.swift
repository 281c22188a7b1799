import Common
import Testing
@testable import LanguageModels

@Suite struct ScoringTests {
    @Test(arguments: Fixtures.models.indices)
    func scoreEqualsSumOfNextTokenLogProbabilities(index: Int) {
        let model = Fixtures.models[index]
        for line in Fixtures.logLines.prefix(30) {
            let split = line.index(line.startIndex, offsetBy: min(25, line.count))
            let prompt = String(line[..<split]), continuation = String(line[split...])
            var context = model.tokenizer.encode(prompt)
            var expected = 0.0
            for token in model.tokenizer.encode(continuation) {
                expected += model.nextTokenLogProbabilities(context: context)[token]
                context.append(token)
            }
            let score = model.score(prompt: prompt, continuation: continuation)
            #expect(abs(score - expected) <= 1e-9 * max(1, abs(expected)))
            let detailed = model.scoreContinuation(prompt: prompt, continuation: continuation, settings: .init(maxTotalTokens: nil))
            #expect(abs(detailed.rawLogProbabilities.reduce(0, +) - expected) <= 1e-9 * max(1, abs(expected)))
        }
    }

    @Test func decodedTermsMatchTheTemperedDistribution() {
        let model = Fixtures.models[2]
        let settings = DecodingSettings(temperature: 3, maxTotalTokens: 40)
        let prompt = "The weather today", continuation = " is fine"
        let score = model.scoreContinuation(prompt: prompt, continuation: continuation, settings: settings)
        var context = model.tokenizer.encode(prompt)
        for (t, token) in score.tokens.enumerated() {
            let decoded = settings.decodedLogProbabilities(raw: model.nextTokenLogProbabilities(context: context))
            #expect(abs(score.decodedLogProbabilities[t] - decoded[token]) < 1e-9)
            context.append(token)
        }
        let eot = settings.decodedLogProbabilities(raw: model.nextTokenLogProbabilities(context: context))
        #expect(abs(score.endOfText!.decoded - eot[model.tokenizer.endOfTextToken]) < 1e-9)
        #expect(abs(score.totalDecodedLogProbability - (score.decodedLogProbabilities.reduce(0, +) + score.endOfText!.decoded)) < 1e-12)
    }

    @Test func endOfTextTermOnlyBeforeTheLengthLimit() {
        let model = Fixtures.models[0]  // bytes: one token per ASCII character
        let settings = DecodingSettings(maxTotalTokens: 10)
        let short = model.scoreContinuation(prompt: "abcde", continuation: "fg", settings: settings)
        #expect(short.newTokenLimit == 5 && short.endOfText != nil && !short.exceedsLengthLimit)
        let full = model.scoreContinuation(prompt: "abcde", continuation: "fghij", settings: settings)
        #expect(full.endOfText == nil && !full.exceedsLengthLimit)
        let long = model.scoreContinuation(prompt: "a long prompt of many bytes", continuation: "x", settings: settings)
        #expect(long.newTokenLimit == 1 && long.endOfText == nil)
        let empty = model.scoreContinuation(prompt: "a long prompt of many bytes", continuation: "", settings: settings)
        #expect(empty.endOfText != nil && empty.tokenCount == 0)
        let over = model.scoreContinuation(prompt: "abcde", continuation: "fghijk", settings: settings)
        #expect(over.exceedsLengthLimit)
    }

    @Test func batchScoringEqualsOneByOne() {
        let model = Fixtures.models[3]
        let settings = DecodingSettings(topK: 50)
        let continuations = [" the", " a", "", " the end", "\u{00E9}t\u{00E9}"]
        let batch = model.scoreContinuations(prompt: "I think", continuations: continuations, settings: settings)
        for (score, continuation) in zip(batch, continuations) {
            #expect(score == model.scoreContinuation(prompt: "I think", continuation: continuation, settings: settings))
        }
    }

    @Test func topKRemovedTokensScoreMinusInfinity() {
        let model = Fixtures.models[1]
        let settings = DecodingSettings(topK: 1)
        var generator = SeededGenerator(seed: 5)
        let generation = model.sample(prompt: "Hello", settings: settings, using: &generator)
        let raw = model.nextTokenLogProbabilities(context: model.tokenizer.encode("Hello"))
        let worst = raw.indices.min { raw[$0] < raw[$1] }!
        let score = model.scoreContinuationTokens(prompt: "Hello", tokens: [worst], settings: settings)
        #expect(score == -.infinity)
        #expect(generation.tokens.count <= settings.newTokenLimit(promptTokenCount: generation.promptTokens.count))
    }
}

extension LanguageModel {
    /// Decoded log-probability of the first token `tokens[0]` after `prompt`.
    func scoreContinuationTokens(prompt: String, tokens: [Int], settings: DecodingSettings) -> Double {
        scoreContinuation(promptTokens: tokenizer.encode(prompt), continuationTokens: tokens, settings: settings)
            .decodedLogProbabilities[0]
    }
}

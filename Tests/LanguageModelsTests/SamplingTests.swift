import Common
import Testing
@testable import LanguageModels

/// Pearson chi-square of observed counts against expected probabilities, pooling the rare
/// cells (expected count < 5) into one; returns the statistic and degrees of freedom.
func chiSquare(observed: [Int], probabilities: [Double], draws: Int) -> (statistic: Double, degreesOfFreedom: Int) {
    var statistic = 0.0
    var cells = 0
    var pooledObserved = 0.0, pooledExpected = 0.0
    for (count, probability) in zip(observed, probabilities) {
        let expected = probability * Double(draws)
        if expected < 5 {
            pooledObserved += Double(count)
            pooledExpected += expected
        } else {
            statistic += (Double(count) - expected) * (Double(count) - expected) / expected
            cells += 1
        }
    }
    if pooledExpected > 0 {
        statistic += (pooledObserved - pooledExpected) * (pooledObserved - pooledExpected) / pooledExpected
        cells += 1
    }
    return (statistic, cells - 1)
}

/// Upper 0.1% point of chi-square (Wilson-Hilferty approximation).
func chiSquareCritical(degreesOfFreedom k: Int) -> Double {
    let df = Double(k), z = 3.090
    let term = 1 - 2 / (9 * df) + z * (2 / (9 * df)).squareRoot()
    return df * term * term * term
}

@Suite struct SamplingTests {
    func firstTokenCounts(model: NGramLanguageModel, prompt: String, settings: DecodingSettings, draws: Int, seed: UInt64) -> [Int] {
        var generator = SeededGenerator(seed: seed)
        var counts = [Int](repeating: 0, count: model.tokenizer.vocabularySize)
        let promptTokens = model.tokenizer.encode(prompt)
        for _ in 0..<draws {
            let generation = model.sample(promptTokens: promptTokens, settings: settings, using: &generator)
            counts[generation.endedWithEndOfText ? model.tokenizer.endOfTextToken : generation.tokens[0]] += 1
        }
        return counts
    }

    @Test(arguments: [1.0, 3.0])
    func samplingMatchesTheTemperedDistribution(temperature: Double) {
        let model = Fixtures.models[2]
        let settings = DecodingSettings(temperature: temperature, maxNewTokens: 1)
        let prompt = "I remember the"
        let draws = 20_000
        let counts = firstTokenCounts(model: model, prompt: prompt, settings: settings, draws: draws, seed: 2022)
        let tempered = settings.decodedLogProbabilities(raw: model.nextTokenLogProbabilities(context: model.tokenizer.encode(prompt)))
        let fit = chiSquare(observed: counts, probabilities: tempered.map { cExp($0) }, draws: draws)
        #expect(fit.degreesOfFreedom >= 5)
        #expect(fit.statistic < chiSquareCritical(degreesOfFreedom: fit.degreesOfFreedom))

        // The same draws are far from the untempered distribution: the test has power.
        let other = DecodingSettings(temperature: temperature == 1 ? 3 : 1)
        let wrong = other.decodedLogProbabilities(raw: model.nextTokenLogProbabilities(context: model.tokenizer.encode(prompt)))
        let misfit = chiSquare(observed: counts, probabilities: wrong.map { cExp($0) }, draws: draws)
        #expect(misfit.statistic > 10 * chiSquareCritical(degreesOfFreedom: misfit.degreesOfFreedom))
    }

    @Test func topKSamplesOnlyTheKMostLikely() {
        let model = Fixtures.models[3]
        let settings = DecodingSettings(topK: 5, maxNewTokens: 1)
        let counts = firstTokenCounts(model: model, prompt: "The", settings: settings, draws: 2000, seed: 3)
        let raw = model.nextTokenLogProbabilities(context: model.tokenizer.encode("The"))
        let top = Set(raw.indices.sorted { raw[$0] > raw[$1] }.prefix(5))
        #expect(counts.indices.filter { counts[$0] > 0 }.allSatisfy { top.contains($0) })
        #expect(counts.filter { $0 > 0 }.count == 5)
    }

    @Test func lengthLimitCountsThePromptAndAllowsOneNewToken() {
        let model = Fixtures.models[0]
        var generator = SeededGenerator(seed: 9)
        let settings = DecodingSettings.mlmac
        for _ in 0..<200 {
            let short = model.sample(prompt: "Hi there", settings: settings, using: &generator)
            #expect(short.tokens.count <= 12)
            #expect(short.endedWithEndOfText || short.tokens.count == 12)
            let long = model.sample(prompt: String(repeating: "long prompt ", count: 5), settings: settings, using: &generator)
            #expect(long.tokens.count <= 1)
        }
    }

    @Test func sameSeedSameSample() {
        let model = Fixtures.models[3]
        let settings = DecodingSettings(maxTotalTokens: 60, seed: 77)
        let first = model.sample(prompt: "Once upon", settings: settings)
        let second = model.sample(prompt: "Once upon", settings: settings)
        #expect(first == second)
        let different = model.sample(prompt: "Once upon", settings: DecodingSettings(maxTotalTokens: 60, seed: 78))
        #expect(first != different)
    }

    @Test func generatedTextStartsWithThePrompt() {
        var generator = SeededGenerator(seed: 1)
        let text = Fixtures.models[2].generateText(prompt: "Good morning", settings: .mlmac, using: &generator)
        #expect(text.hasPrefix("Good morning"))
    }
}

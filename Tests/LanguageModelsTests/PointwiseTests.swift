import Foundation
import Testing
@testable import LanguageModels

/// The pointwise path (`NGramLanguageModel+Pointwise`) against the vocabulary-sized vectors
/// it replaces in scoring: the same probabilities and the same temperature normalisers.
@Suite struct PointwiseTests {
    /// Contexts of every length up to a few tokens past the order, from the fixture text,
    /// plus the empty context and one of tokens the text never has in that order.
    static func contexts(_ model: NGramLanguageModel) -> [[Int]] {
        var out: [[Int]] = [[]]
        for line in Fixtures.logLines.prefix(12) {
            let tokens = model.tokenizer.encode(line)
            for end in stride(from: 0, through: min(tokens.count, model.order + 3), by: 1) { out.append(Array(tokens[..<end])) }
        }
        out.append([model.tokenizer.endOfTextToken, 0, model.tokenizer.endOfTextToken])
        return out
    }

    @Test(arguments: Fixtures.models.indices)
    func probabilityOfEachTokenMatchesTheVector(index: Int) {
        let model = Fixtures.models[index]
        for context in Self.contexts(model) {
            let vector = model.nextTokenProbabilities(context: context)
            let chain = model.matchedChain(context: context)
            for token in vector.indices {
                let p = model.probability(of: token, chain: chain[...])
                #expect(abs(p - vector[token]) <= 1e-12 * max(1, vector[token]), "token \(token) after \(context)")
            }
        }
    }

    @Test(arguments: [0.5, 1.0, 3.0])
    func powerSumsMatchTheVectorWithOneMemoForAllContexts(temperature: Double) {
        for model in Fixtures.models {
            var memo: [Int: Double] = [:]
            for context in Self.contexts(model) {
                let vector = model.nextTokenProbabilities(context: context)
                let expected = vector.reduce(0) { $0 + pow($1, 1 / temperature) }
                let chain = model.matchedChain(context: context)
                let sum = model.powerSum(chain: chain[...], exponent: 1 / temperature, memo: &memo)
                #expect(abs(sum - expected) <= 1e-10 * expected, "T \(temperature) after \(context)")
            }
        }
    }

    @Test func decodedStepsMatchTheDecodedVector() {
        let settings = DecodingSettings(temperature: 3, maxTotalTokens: 40)
        for model in Fixtures.models {
            let cache = DecodedStepCache(model: model, settings: settings)
            for context in Self.contexts(model) {
                let decoded = settings.decodedLogProbabilities(raw: model.nextTokenLogProbabilities(context: context))
                for token in stride(from: 0, to: decoded.count, by: 7) {
                    #expect(abs(cache.decodedLogProbability(of: token, after: context) - decoded[token]) <= 1e-9)
                }
            }
        }
    }
}

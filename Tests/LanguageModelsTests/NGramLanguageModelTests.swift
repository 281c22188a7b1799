import Common
import Testing
@testable import LanguageModels

@Suite struct NGramLanguageModelTests {
    @Test func unigramMatchesTheKneserNeyFormulaExactly() throws {
        // Counts a:2, b:1, end-of-text:1 (total 4); too few to estimate discounts, so D = 0.5, 1, 1.5.
        let model = try NGramLanguageModel(vocabulary: .byte(ByteTokenizer()), order: 1, documents: ["aab"])
        let p = model.nextTokenProbabilities(context: [])
        let gamma = (0.5 + 0.5 + 1.0) / 4
        #expect(abs(p[Int(UInt8(ascii: "a"))] - ((2 - 1.0) / 4 + gamma / 257)) < 1e-15)
        #expect(abs(p[Int(UInt8(ascii: "b"))] - ((1 - 0.5) / 4 + gamma / 257)) < 1e-15)
        #expect(abs(p[256] - ((1 - 0.5) / 4 + gamma / 257)) < 1e-15)
        #expect(abs(p[Int(UInt8(ascii: "z"))] - gamma / 257) < 1e-15)
    }

    @Test func bigramInterpolatesWithContinuationCounts() throws {
        // Bigrams (eot a) (a b) (b eot); each unigram has one distinct left neighbour.
        let model = try NGramLanguageModel(vocabulary: .byte(ByteTokenizer()), order: 2, documents: ["ab"])
        let a = Int(UInt8(ascii: "a")), b = Int(UInt8(ascii: "b"))
        let lower = 0.5 / 3 + 0.5 / 257
        let p = model.nextTokenProbabilities(context: [a])
        #expect(abs(p[b] - (0.5 + 0.5 * lower)) < 1e-15)
        #expect(abs(p[a] - 0.5 * (0.5 / 3 + 0.5 / 257)) < 1e-15)
        // An unseen context backs off to the lower order entirely.
        let unseen = model.nextTokenProbabilities(context: [Int(UInt8(ascii: "q"))])
        #expect(abs(unseen[b] - lower) < 1e-15)
    }

    @Test(arguments: Fixtures.models.indices)
    func nextTokenDistributionsSumToOne(index: Int) {
        let model = Fixtures.models[index]
        var generator = SeededGenerator(seed: 11)
        for line in Fixtures.logLines.prefix(40) {
            let tokens = model.tokenizer.encode(line)
            let cut = tokens.isEmpty ? 0 : Int(generator.next() % UInt64(tokens.count + 1))
            let logProbabilities = model.nextTokenLogProbabilities(context: Array(tokens.prefix(cut)))
            #expect(logProbabilities.count == model.tokenizer.vocabularySize)
            #expect(logProbabilities.allSatisfy { $0.isFinite && $0 < 0 })
            let total = logProbabilities.reduce(0) { $0 + cExp($1) }
            #expect(abs(total - 1) < 1e-9)
        }
    }

    @Test func longerOrderFitsTrainingTextBetter() throws {
        let text = Fixtures.promptDocuments[3]
        let bigram = try Fixtures.models[0].reduced(toOrder: 2)
        #expect(Fixtures.models[0].score(prompt: "", continuation: text) > bigram.score(prompt: "", continuation: text))
    }

    @Test func reducedOrderEqualsRetrainingAtThatOrder() throws {
        let retrained = try NGramLanguageModel(vocabulary: Fixtures.tokenizers[0], order: 2, documents: Fixtures.promptDocuments)
        let reduced = try Fixtures.models[0].reduced(toOrder: 2)
        #expect(reduced.serialized() == retrained.serialized())
    }

    @Test func rejectsBadOrders() {
        #expect(throws: LanguageModelError.self) {
            try NGramLanguageModel(vocabulary: .byte(ByteTokenizer()), order: 7, documents: ["a"])
        }
        #expect(throws: LanguageModelError.self) {
            try NGramLanguageModel(vocabulary: .byte(ByteTokenizer()), order: 0, documents: ["a"])
        }
    }

    @Test func trainingIsDeterministicToTheByte() throws {
        let first = try NGramLanguageModel(tokenizer: .bpe(vocabularySize: 600), order: 4, documents: Fixtures.promptDocuments)
        let second = try NGramLanguageModel(tokenizer: .bpe(vocabularySize: 600), order: 4, documents: Fixtures.promptDocuments)
        #expect(first.serialized() == second.serialized())
        #expect(first.contentHash == second.contentHash)
    }
}

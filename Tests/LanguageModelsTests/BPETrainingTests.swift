import Testing
@testable import LanguageModels

@Suite struct BPETrainingTests {
    @Test(arguments: [300, 1000, 4000])
    func reachesTheRequestedVocabularySize(size: Int) throws {
        let tokenizer = try BPETokenizer(training: Fixtures.promptDocuments, vocabularySize: size)
        #expect(tokenizer.vocabularySize == size)
        #expect(tokenizer.merges.count == size - 257)
    }

    @Test func trainingIsDeterministic() throws {
        let first = try BPETokenizer(training: Fixtures.promptDocuments, vocabularySize: 800)
        let second = try BPETokenizer(training: Fixtures.promptDocuments, vocabularySize: 800)
        #expect(first.merges == second.merges)
        #expect(first.identifier == second.identifier)
    }

    @Test func firstMergeIsTheMostFrequentPair() throws {
        // "ab" occurs 3 times inside words, "cd" twice: the first merge must join a and b.
        let tokenizer = try BPETokenizer(training: ["xab xab xab xcd xcd"], vocabularySize: 258)
        #expect(tokenizer.merges == [.init(left: Int32(UInt8(ascii: " ")), right: Int32(UInt8(ascii: "x")))])
        let next = try BPETokenizer(training: ["ab ab ab cd cd"], vocabularySize: 258)
        #expect(next.merges == [.init(left: Int32(UInt8(ascii: "a")), right: Int32(UInt8(ascii: "b")))])
    }

    @Test func smallerVocabularyIsAPrefixOfLarger() throws {
        let small = try BPETokenizer(training: Fixtures.promptDocuments, vocabularySize: 400)
        let large = try BPETokenizer(training: Fixtures.promptDocuments, vocabularySize: 900)
        #expect(Array(large.merges.prefix(small.merges.count)) == small.merges)
    }

    @Test func rejectsTooSmallVocabulary() {
        #expect(throws: LanguageModelError.self) { try BPETokenizer(training: ["abc"], vocabularySize: 100) }
    }

    @Test func mergesMayOnlyReferToEarlierTokens() {
        #expect(throws: LanguageModelError.self) { try BPETokenizer(merges: [.init(left: 256, right: 1)]) }
    }
}

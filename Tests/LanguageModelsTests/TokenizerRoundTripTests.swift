import PropertyBased
import Testing
@testable import LanguageModels

/// Arbitrary Unicode text: scalars from ASCII, Latin, Greek/Cyrillic, CJK, emoji and the
/// supplementary planes, skipping surrogates.
let arbitraryText = Gen<UInt32>.value(in: 0...0x10FFFF)
    .map { value -> Character in
        let biased = value % 4 == 0 ? value % 0x80 : (value % 4 == 1 ? value % 0x800 : value)
        return Character(Unicode.Scalar(biased) ?? Unicode.Scalar(0xFFFD)!)
    }
    .string(of: 0...40)

@Suite struct TokenizerRoundTripTests {
    @Test(arguments: Fixtures.tokenizers)
    func arbitraryUnicodeRoundTripsExactly(tokenizer: AnyTokenizer) async {
        await propertyCheck(count: 300, input: arbitraryText) { text in
            let tokens = tokenizer.encode(text)
            #expect(tokens.allSatisfy { $0 >= 0 && $0 < tokenizer.vocabularySize && $0 != tokenizer.endOfTextToken })
            #expect(tokenizer.decodeBytes(tokens) == Array(text.utf8))
        }
    }

    @Test(arguments: Fixtures.tokenizers)
    func realMultilingualLogLinesRoundTrip(tokenizer: AnyTokenizer) {
        let lines = Fixtures.logLines
        #expect(lines.count > 500, "the round-1 log should be readable at \(Fixtures.logDirectory.path)")
        #expect(lines.contains { $0.unicodeScalars.contains { $0.value >= 0x3040 } }, "expected Japanese text in the log")
        for line in lines {
            let tokens = tokenizer.encode(line)
            #expect(Array(tokenizer.decode(tokens).utf8) == Array(line.utf8))
        }
    }

    @Test func learnedTokenizersCompressRealText() {
        let text = Fixtures.promptDocuments.joined(separator: "\n")
        let byteCount = ByteTokenizer().encode(text).count
        let counts = Fixtures.tokenizers.map { $0.encode(text).count }
        // word-1500, bpe-300, bpe-1000: fewer tokens than bytes, more so for larger vocabularies.
        #expect(Double(counts[2]) < 0.65 * Double(byteCount), "word: \(counts[2]) tokens for \(byteCount) bytes")
        #expect(Double(counts[3]) < 0.9 * Double(byteCount), "bpe-300: \(counts[3]) tokens for \(byteCount) bytes")
        #expect(Double(counts[4]) < 0.6 * Double(byteCount), "bpe-1000: \(counts[4]) tokens for \(byteCount) bytes")
        #expect(counts[4] < counts[3])
    }

    @Test func endOfTextDecodesToNothing() {
        for tokenizer in Fixtures.tokenizers {
            let tokens = tokenizer.encode("Hello") + [tokenizer.endOfTextToken]
            #expect(tokenizer.decode(tokens) == "Hello")
            #expect(tokenizer.endOfTextToken == tokenizer.vocabularySize - 1)
        }
    }

    @Test func identifiersDifferAcrossVocabularies() {
        let identifiers = Fixtures.tokenizers.map(\.identifier)
        #expect(Set(identifiers).count == identifiers.count)
    }
}

import Testing
@testable import LanguageModels

/// The segmentation marginal against brute force: every token path that spells the text,
/// enumerated from the tokenizer's pieces directly, each scored token by token.
@Suite struct SegmentationMarginalTests {
    static let settings = DecodingSettings(temperature: 3, maxTotalTokens: 24)

    /// Every token sequence whose pieces concatenate to `bytes` (tokens from the whole vocabulary).
    static func segmentations(_ bytes: [UInt8], tokenizer: any Tokenizer) -> [[Int]] {
        if bytes.isEmpty { return [[]] }
        var out: [[Int]] = []
        for token in 0..<tokenizer.vocabularySize where token != tokenizer.endOfTextToken {
            let piece = tokenizer.piece(of: token)
            guard !piece.isEmpty, piece.count <= bytes.count, Array(bytes.prefix(piece.count)) == piece else { continue }
            for rest in segmentations(Array(bytes.dropFirst(piece.count)), tokenizer: tokenizer) { out.append([token] + rest) }
        }
        return out
    }

    /// Decoded log-probability of one path, with the end-of-text term below the limit; nil over it.
    static func pathLogProbability(_ model: NGramLanguageModel, prompt: [Int], path: [Int]) -> Double? {
        let limit = settings.newTokenLimit(promptTokenCount: prompt.count)
        guard path.count <= limit else { return nil }
        var context = prompt, total = 0.0
        for token in path {
            total += settings.decodedLogProbabilities(raw: model.nextTokenLogProbabilities(context: context))[token]
            context.append(token)
        }
        if path.count < limit {
            total += settings.decodedLogProbabilities(raw: model.nextTokenLogProbabilities(context: context))[model.tokenizer.endOfTextToken]
        }
        return total
    }

    static func bruteForce(_ model: NGramLanguageModel, prompt: [Int], text: String) -> Double {
        logSumExp(segmentations(Array(text.utf8), tokenizer: model.tokenizer).compactMap { pathLogProbability(model, prompt: prompt, path: $0) })
    }

    /// With a beam wide enough to keep every path, the forward pass is the exact sum.
    @Test(arguments: [2, 3])
    func wideBeamEqualsBruteForce(index: Int) {
        let model = Fixtures.models[index]
        let index = PieceIndex(tokenizer: model.tokenizer)
        let prompt = model.tokenizer.encode("The weather")
        for text in [" is fine", " the", "ation, and"] {
            let exact = Self.bruteForce(model, prompt: prompt, text: text)
            let forward = model.marginalLogProbabilities(
                promptTokens: prompt, continuation: Array(text.utf8), settings: Self.settings, index: index, beam: 100_000,
                mixers: [{ decoded, _ in decoded }])
            let canonical = model.tokenizer.encode(text)
            #expect(forward != nil, "\(text): canonical \(canonical.count) tokens, prompt \(prompt.count), pieces \(canonical.map { model.tokenizer.piece(of: $0) })")
            guard let forward else { continue }
            #expect(abs(forward[0] - exact) < 1e-9, "\(text): forward \(forward[0]) vs brute force \(exact)")
        }
    }

    /// The shortest path is the fewest tokens over every segmentation (brute force), never
    /// more than the tokenizer's own; a U+FFFD counts as one token.
    @Test(arguments: [0, 1, 2, 3])
    func shortestPathIsTheFewestTokensOfAnySegmentation(index: Int) {
        let model = Fixtures.models[index]
        let pieces = PieceIndex(tokenizer: model.tokenizer)
        for text in [" is fine", "ation, and", "The weather"] {
            let bytes = Array(text.utf8)
            let fewest = Self.segmentations(bytes, tokenizer: model.tokenizer).map(\.count).min()
            #expect(pieces.shortestPathLength(bytes) == fewest, "\(text)")
            #expect(fewest.map { $0 <= model.tokenizer.encode(text).count } ?? false)
        }
        guard !pieces.invalidTokens.isEmpty else { return }
        let (bytes, replacements) = PieceIndex.bytes(of: "a\u{FFFD}")
        #expect(pieces.shortestPathLength(bytes, replacements: replacements) == 2)
    }

    /// A narrow beam keeps a subset of the paths: a lower bound that grows with the beam, and
    /// never below the canonical path alone.
    @Test func narrowBeamsAreOrderedLowerBounds() {
        let model = Fixtures.models[3]
        let index = PieceIndex(tokenizer: model.tokenizer)
        let prompt = model.tokenizer.encode("Once upon")
        let text = " a time there was"
        let exact = Self.bruteForce(model, prompt: prompt, text: text)
        let canonical = model.scoreContinuation(prompt: "Once upon", continuation: text, settings: Self.settings).totalDecodedLogProbability
        var previous = -Double.infinity
        for beam in [1, 2, 8, 64] {
            let value = model.marginalLogProbabilities(
                promptTokens: prompt, continuation: Array(text.utf8), settings: Self.settings, index: index, beam: beam,
                mixers: [{ decoded, _ in decoded }])![0]
            #expect(value <= exact + 1e-9)
            #expect(value >= previous - 1e-9)
            previous = value
        }
        #expect(previous >= canonical - 1e-9)
        #expect(exact > canonical, "other segmentations carry probability too")
    }

    /// Byte tokens spell each text one way only: the marginal is the canonical score.
    @Test func byteModelHasOneSegmentation() {
        let model = Fixtures.models[0]
        let prompt = model.tokenizer.encode("Hello")
        let text = ", world"
        let value = model.marginalLogProbabilities(
            promptTokens: prompt, continuation: Array(text.utf8), settings: Self.settings, index: PieceIndex(tokenizer: model.tokenizer),
            beam: 1, mixers: [{ decoded, _ in decoded }])![0]
        let canonical = model.scoreContinuation(prompt: "Hello", continuation: text, settings: Self.settings).totalDecodedLogProbability
        #expect(abs(value - canonical) < 1e-9)
    }

    /// Too many tokens for the limit: no path, nil.
    @Test func textBeyondTheLimitHasNoPath() {
        let model = Fixtures.models[0]
        let settings = DecodingSettings(temperature: 3, maxTotalTokens: 6)
        let prompt = model.tokenizer.encode("Hi")
        let value = model.marginalLogProbabilities(
            promptTokens: prompt, continuation: Array(" there, friend".utf8), settings: settings,
            index: PieceIndex(tokenizer: model.tokenizer), beam: 4, mixers: [{ decoded, _ in decoded }])
        #expect(value == nil)
    }

    /// A U+FFFD stands for any one invalid token. With a context-free (order 1) model every
    /// choice leaves the same future, so the forward pass must equal the explicit sum over
    /// the invalid tokens at that position.
    @Test func replacementCharacterSumsOverInvalidTokens() throws {
        let tokenizer = Fixtures.tokenizers[0]
        let model = try NGramLanguageModel(vocabulary: tokenizer, order: 1, documents: Fixtures.promptDocuments + ["caf\u{E9} na\u{EF}ve \u{20AC}5"])
        let index = PieceIndex(tokenizer: tokenizer)
        #expect(index.invalidTokens.count == 128, "bytes 0x80...0xFF are invalid alone")
        let text = "a\u{FFFD}b"
        let (bytes, replacements) = PieceIndex.bytes(of: text)
        #expect(replacements == [1])
        let prompt = tokenizer.encode("x")
        let a = tokenizer.encode("a"), b = tokenizer.encode("b")
        let expected = logSumExp(index.invalidTokens.compactMap { Self.pathLogProbability(model, prompt: prompt, path: a + [$0] + b) })
        let value = model.marginalLogProbabilities(
            promptTokens: prompt, continuation: bytes, replacements: replacements, settings: Self.settings, index: index, beam: 8,
            mixers: [{ decoded, _ in decoded }])
        #expect(value != nil)
        #expect(abs(value![0] - expected) < 1e-6 * abs(expected))
    }

    /// Several mixers give several sums, each over the same paths.
    @Test func mixersAreSummedSeparately() {
        let model = Fixtures.models[2]
        let index = PieceIndex(tokenizer: model.tokenizer)
        let prompt = model.tokenizer.encode("The")
        let values = model.marginalLogProbabilities(
            promptTokens: prompt, continuation: Array(" end".utf8), settings: Self.settings, index: index, beam: 100_000,
            mixers: [{ decoded, _ in decoded }, { decoded, _ in decoded + 0.5 }])!
        // Shifting every token (and the end-of-text term) by 0.5 shifts each path by 0.5 per step;
        // the second sum is at least the first plus 0.5 per step of the shortest path.
        #expect(values[1] > values[0] + 0.5)
    }
}

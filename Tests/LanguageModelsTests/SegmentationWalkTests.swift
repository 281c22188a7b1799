import Foundation
import Synchronization
import Testing
@testable import LanguageModels

/// An n-gram model presented as one served in batches, counting what it is asked: the
/// lockstep walk must reach it only through `tokenLogProbabilities`, one call per byte position.
final class CountingServedModel: BatchServedLanguageModel {
    let inner: NGramLanguageModel
    let batches = Mutex(0)
    let vectors = Mutex(0)
    init(_ inner: NGramLanguageModel) { self.inner = inner }
    var tokenizer: any Tokenizer { inner.tokenizer }
    var contextWindow: Int? { inner.contextWindow }
    func nextTokenLogProbabilities(context: [Int]) -> [Double] {
        vectors.withLock { $0 += 1 }
        return inner.nextTokenLogProbabilities(context: context)
    }
    func tokenLogProbabilities(_ queries: [TokenQuery], settings: DecodingSettings) throws -> [TokenLogProbabilities] {
        batches.withLock { $0 += 1 }
        return try inner.tokenLogProbabilities(queries, settings: settings)
    }
}

@Suite struct SegmentationWalkTests {
    static let texts = [" is fine", "ation, and the", " the", "x\u{FFFD}y", "The weather is"]

    /// Many texts after several prompts in lockstep, through a model served in batches that is
    /// asked only for the tokens each step reads: the same sums as one text at a time on the
    /// n-gram model itself, one batch per byte position of the longest text (and one for the
    /// end-of-text terms), and never a whole vocabulary.
    @Test(arguments: [0, 1, 2, 3], [1, 4])
    func lockstepWalksAgreeWithOneTextAtATime(index: Int, beam: Int) throws {
        let model = Fixtures.models[index]
        let served = CountingServedModel(model)
        let pieces = PieceIndex(tokenizer: model.tokenizer)
        let settings = DecodingSettings(temperature: 3, maxTotalTokens: 24)
        let prompts = ["The weather", "Once upon"].map { model.tokenizer.encode($0) }
        let mixers: [(Double, Double, Int, Int) -> Double] = [{ decoded, _, _, _ in decoded }, { decoded, _, token, _ in 0.5 * decoded - Double(token % 3) }]
        let cache = DecodedStepCache(model: served, settings: settings)
        var walks: [SegmentationWalk] = []
        var expected: [[Double]?] = []
        for prompt in prompts {
            for text in Self.texts {
                let (bytes, replacements) = PieceIndex.bytes(of: text)
                let limit = settings.newTokenLimit(promptTokenCount: prompt.count)
                walks.append(SegmentationWalk(promptTokens: prompt, continuation: bytes, replacements: replacements, limit: limit,
                                              index: pieces, beam: beam, primary: cache, companion: nil, mixerCount: mixers.count))
                expected.append(marginalLogProbabilities(
                    promptTokens: prompt, continuation: bytes, replacements: replacements, limit: limit, index: pieces, beam: beam,
                    primary: DecodedStepCache(model: model, settings: settings), companion: nil, mixers: mixers))
            }
        }
        let got = try marginalLogProbabilities(walks: walks, primary: cache, companion: nil, mixers: mixers)
        #expect(expected.contains { $0 != nil })
        for (a, b) in zip(got, expected) {
            #expect((a == nil) == (b == nil))
            guard let a, let b else { continue }
            for (x, y) in zip(a, b) { #expect(abs(x - y) < 1e-9, "\(x) vs \(y)") }
        }
        let longest = Self.texts.map { PieceIndex.bytes(of: $0).bytes.count }.max()!
        #expect(served.batches.withLock { $0 } <= longest + 1)
        #expect(served.batches.withLock { $0 } >= 2)
        // The default `tokenLogProbabilities` reads vectors of the inner model, never through
        // the served model's own one-at-a-time call.
        #expect(served.vectors.withLock { $0 } == 0)
    }
}

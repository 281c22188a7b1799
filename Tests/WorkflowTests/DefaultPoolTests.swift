@testable import Calibration
import Corpora
import Foundation
import Testing
@testable import Workflow

/// The built-in pool from real held-out corpus text (after `bash scripts/install-corpora.sh`).
@Suite struct DefaultPoolTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".cache/corpora/raw", isDirectory: true)

    @Test func aLargerPoolStartsWithTheSmallerOneAndRepeatsNoPrompt() throws {
        let corpora = try ["fortunes", "jargon", "bible-kjv"].map { try Corpus.load($0, root: Self.root) }
        let small = DefaultPool.make(corpora: corpora, count: 16).prompts
        let large = DefaultPool.make(corpora: corpora, count: 48).prompts
        #expect(small.count == 16 && large.count == 48)
        #expect(Array(large.prefix(16)) == small)
        #expect(Set(large).count == large.count)
        #expect(large.allSatisfy { !$0.isEmpty && $0.utf8.count <= 40 })
        // Deterministic: the same corpora give the same pool.
        #expect(DefaultPool.make(corpora: corpora, count: 48).prompts == large)
    }
}

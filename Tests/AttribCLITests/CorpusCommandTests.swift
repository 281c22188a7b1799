import ArgumentParser
import Corpora
import Foundation
import Testing
@testable import AttribCLI

@Suite(.enabled(if: (try? Corpus.load("bofh-excuses")) != nil, "needs the corpora: bash scripts/install-corpora.sh"))
struct CorpusCommandTests {
    @Test func aSplitComesOutAsJSONLinesOfItsDocuments() throws {
        let command = try CorpusCommand.parse(["bofh-excuses", "--split", "heldout"])
        let documents = try command.lines().map { try JSONDecoder().decode(String.self, from: Data($0.utf8)) }
        #expect(documents == (try Corpus.load("bofh-excuses")).documents(in: .heldout))
        #expect(!documents.isEmpty && documents.allSatisfy { CorpusSplit.of($0) == .heldout })
        let capped = try CorpusCommand.parse(["bofh-excuses", "--split", "heldout", "--max-bytes", "1"]).lines()
        #expect(capped.count == 1)
    }

    @Test func badArgumentsAreRefused() {
        #expect(throws: (any Error).self) { try CorpusCommand.parse(["bofh-excuses", "--split", "dev"]) }
        #expect(throws: (any Error).self) { try CorpusCommand.parse(["bofh-excuses", "--max-bytes", "-1"]) }
        #expect(throws: (any Error).self) { try CorpusCommand.parse(["no-such-corpus"]).lines() }
    }
}

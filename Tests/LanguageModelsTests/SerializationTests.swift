import Foundation
import Testing
@testable import LanguageModels

@Suite struct SerializationTests {
    @Test(arguments: Fixtures.models.indices)
    func roundTripGivesIdenticalLogProbabilities(index: Int) throws {
        let model = Fixtures.models[index]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lm-tests-\(index)-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.ngram")
        try model.write(to: url)
        let loaded = try NGramLanguageModel(contentsOf: url)
        #expect(loaded.tokenizer.identifier == model.tokenizer.identifier)
        #expect(loaded.serialized() == model.serialized())
        for line in Fixtures.logLines.prefix(10) {
            let context = model.tokenizer.encode(line)
            #expect(loaded.tokenizer.encode(line) == context)
            #expect(loaded.nextTokenLogProbabilities(context: context) == model.nextTokenLogProbabilities(context: context))
        }
    }

    @Test func characterAndWordTokenizersRoundTrip() throws {
        for tokenizer in Fixtures.tokenizers {
            let model = try NGramLanguageModel(vocabulary: tokenizer, order: 2, documents: Array(Fixtures.promptDocuments.prefix(20)))
            let loaded = try NGramLanguageModel(serialized: model.serialized())
            #expect(loaded.vocabulary == tokenizer)
        }
    }

    @Test func truncatedFileFailsNamingTheField() throws {
        let bytes = Fixtures.models[1].serialized()
        do {
            _ = try NGramLanguageModel(serialized: Array(bytes.prefix(bytes.count / 2)), source: "half.ngram")
            Issue.record("a truncated file must not load")
        } catch let error as LanguageModelError {
            guard case let .corruptModelFile(path, field, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(path == "half.ngram")
            #expect(field.hasPrefix("ngrams["))
            #expect(error.description.contains("half.ngram"))
        }
    }

    @Test func wrongMagicIsRejected() {
        #expect(throws: LanguageModelError.corruptModelFile(path: "x", field: "magic", reason: "not an attrib n-gram model")) {
            try NGramLanguageModel(serialized: Array("NOTAMODEL-------".utf8), source: "x")
        }
    }

    @Test func missingFileIsAFileAccessError() {
        #expect(throws: LanguageModelError.self) {
            try NGramLanguageModel(contentsOf: URL(fileURLWithPath: "/nonexistent/model.ngram"))
        }
    }
}

@testable import Calibration
import Common
import Foundation
import LanguageModels
import Testing
@testable import Workflow

@Suite struct BasesFileTests {
    /// Model paths resolve inside the folder even when its URL was made before the folder
    /// existed (no trailing slash): the cold-start case of `attrib demo --work DIR`.
    @Test func modelPathsResolveInsideAFolderURLWithoutTrailingSlash() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bases-\(UUID().uuidString)").path
        let folder = URL(fileURLWithPath: path)   // made before the folder exists
        #expect(!folder.hasDirectoryPath)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = try NGramLanguageModel(tokenizer: .byte, order: 2, documents: ["a small text", "another small text"])
        try model.write(to: URL(fileURLWithPath: path).appendingPathComponent("m.ngram"))
        let file = BasesFile(decoding: nil, bases: [.init(name: "m", model: "m.ngram")], none: nil)
        let models = try file.hypothesisModels(directory: folder)
        #expect(models.baseNames == ["m"])
    }

    /// A folder with two byte models, one word model and a byte-tokenizer bigram, all real.
    private func fixture() throws -> (folder: URL, word: NGramLanguageModel, drift: NGramLanguageModel) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bases-drift-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let texts = ["the cat sat on the mat", "a dog ran in the park", "the end of a small text"]
        try NGramLanguageModel(tokenizer: .byte, order: 3, documents: texts).write(to: folder.appendingPathComponent("a.ngram"))
        try NGramLanguageModel(tokenizer: .byte, order: 2, documents: Array(texts.reversed())).write(to: folder.appendingPathComponent("b.ngram"))
        let word = try NGramLanguageModel(tokenizer: .word(vocabularySize: 300), order: 2, documents: texts)
        try word.write(to: folder.appendingPathComponent("w.ngram"))
        let drift = try NGramLanguageModel(tokenizer: .byte, order: 2, documents: ["generic text about other things"])
        try drift.write(to: folder.appendingPathComponent("drift.ngram"))
        return (folder, word, drift)
    }

    /// A `drift` entry becomes the component's contextual drift model and part of its
    /// identity (so the store's fingerprints change with it); entries without one keep the
    /// fixed background; `withoutDrift` drops them all.
    @Test func driftEntriesAttachTheirModels() throws {
        let (folder, _, drift) = try fixture()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = BasesFile(decoding: nil, bases: [.init(name: "a", model: "a.ngram", drift: "drift.ngram"),
                                                    .init(name: "b", model: "b.ngram")],
                             none: [.init(name: "None", model: "b.ngram", drift: "drift.ngram")])
        let models = try file.hypothesisModels(directory: folder)
        let a = models.components[0][0], b = models.components[1][0], none = models.components[2][0]
        #expect(a.driftIdentity == drift.contentHash && none.driftIdentity == drift.contentHash)
        #expect(a.identity == a.modelIdentity + "+drift:" + drift.contentHash)
        #expect(b.driftModel == nil && b.identity == b.modelIdentity)
        let plain = try file.withoutDrift.hypothesisModels(directory: folder)
        #expect(plain.components.flatMap { $0 }.allSatisfy { $0.driftModel == nil })
        #expect(plain.components[0][0].identity == a.modelIdentity)
    }

    /// A drift model with another tokenizer is refused with the file's field named.
    @Test func driftWithAnotherTokenizerIsAClearError() throws {
        let (folder, _, _) = try fixture()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = BasesFile(decoding: nil, bases: [.init(name: "a", model: "a.ngram"), .init(name: "w", model: "w.ngram", drift: "drift.ngram")], none: nil)
        #expect(throws: AttribError.self) { try file.hypothesisModels(directory: folder) }
        do {
            _ = try file.hypothesisModels(directory: folder)
        } catch let error as AttribError {
            #expect(error.description.contains("\"bases.1.drift\""))
            #expect(error.description.contains("tokenizer"))
        }
    }

    /// The demo's drift files: one per tokenizer, named in every entry that uses it, trained
    /// only when missing (the text is not even read when all are there).
    @Test func driftFilesAreOnePerTokenizerAndTrainedOnce() throws {
        let (folder, word, _) = try fixture()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = BasesFile(decoding: nil, bases: [.init(name: "a", model: "a.ngram"), .init(name: "b", model: "b.ngram")],
                             none: [.init(name: "None", model: "w.ngram")])
        let models = try file.hypothesisModels(directory: folder)
        let documents = ["some generic text", "more generic text for the drift model"]
        let (named, trained) = try NoneReference.withDriftFiles(file, models: models, directory: folder) { documents }
        #expect(trained == 2)
        let byteFile = NoneReference.driftFileName(tokenizer: "byte")
        #expect(named.bases.map(\.drift) == [byteFile, byteFile])
        #expect(named.none?.map(\.drift) == [NoneReference.driftFileName(tokenizer: word.tokenizer.identifier)])
        let attached = try named.attachingDrift(to: models, directory: folder)
        let expected = try NGramLanguageModel(vocabulary: word.vocabulary, order: 2, documents: documents)
        #expect(attached.components[2][0].driftIdentity == expected.contentHash)
        var read = false
        let (again, retrained) = try NoneReference.withDriftFiles(file, models: models, directory: folder) { read = true; return documents }
        #expect(retrained == 0 && !read && again == named)
        // Another order is another recipe: its own files, trained anew.
        let (trigrams, trainedTrigrams) = try NoneReference.withDriftFiles(file, models: models, directory: folder, order: 3) { documents }
        #expect(trainedTrigrams == 2 && trigrams.bases[0].drift == NoneReference.driftFileName(tokenizer: "byte", order: 3))
        #expect(trigrams.bases[0].drift != byteFile)
    }
}

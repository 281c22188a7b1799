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
}

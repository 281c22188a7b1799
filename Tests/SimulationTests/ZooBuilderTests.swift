import Common
import Corpora
import Foundation
import LanguageModels
import Testing
@testable import Simulation

@Suite struct ZooBuilderTests {
    /// Two in-memory corpora made of the real round-1 log lines (no installed corpora needed).
    static func corpora(_ name: String) throws -> Corpus {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("../shared/mlmac/round1-log").standardizedFileURL
        let set = name == "alpha" ? "DialoGPT" : "Multilingual-MiniLM-L12-H384"
        var lines: [String] = []
        for file in ["prompts", "0", "1", "2", "3"] {
            let text = try String(contentsOf: root.appendingPathComponent("\(set)/\(file).csv"), encoding: .utf8)
            lines += text.split(separator: "\n").map(String.init)
        }
        let source = CorpusSource(name: name, packages: [], files: [], format: .plainText, summary: "test")
        return Corpus(source: source, documents: lines)
    }

    static let spec = ZooSpec(
        name: "tiny", seed: 7,
        bases: [
            ModelSpec(name: "a", corpus: "alpha", tokenizer: "bpe-400", order: 3),
            ModelSpec(name: "a2", order: 2, from: "a"),
            ModelSpec(name: "b", corpus: "beta", tokenizerFrom: "a", order: 3),
        ],
        references: [ModelSpec(name: "r", corpus: "beta", tokenizer: "byte", order: 4)],
        fineTunes: [
            FineTuneSpec(name: "fa", base: "a", domain: "beta", strength: 0.3),
            FineTuneSpec(name: "fr", base: "r", domain: "alpha", strength: 0.3, decoding: DecodingSpec(maxTotalTokens: 250)),
            FineTuneSpec(name: "fb", base: "b", domain: "alpha", strength: 0.1),
        ])

    func temporaryDirectory(_ label: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("zoo-\(label)-\(UUID().uuidString)")
    }

    @Test func buildIsDeterministicAndCached() throws {
        let first = temporaryDirectory("one"), second = temporaryDirectory("two")
        defer {
            try? FileManager.default.removeItem(at: first)
            try? FileManager.default.removeItem(at: second)
        }
        let builder = ZooBuilder(spec: Self.spec, corpora: Self.corpora)
        let one = try builder.build(into: first)
        let two = try builder.build(into: second)
        #expect(one.built.count == 7)
        #expect(one.manifest == two.manifest)
        for record in one.manifest.bases + one.manifest.references + one.manifest.fineTunes.map { $0.model } {
            let a = try Data(contentsOf: first.appendingPathComponent("models/\(record.file)"))
            let b = try Data(contentsOf: second.appendingPathComponent("models/\(record.file)"))
            #expect(a == b, "\(record.name) differs between builds")
        }
        #expect(try Data(contentsOf: first.appendingPathComponent("manifest.json"))
            == Data(contentsOf: second.appendingPathComponent("manifest.json")))
        let again = try builder.build(into: first)
        #expect(again.built.isEmpty)
        #expect(again.manifest == one.manifest)
    }

    @Test func answerKeyAndPublicIds() throws {
        let directory = temporaryDirectory("key")
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = try ZooBuilder(spec: Self.spec, corpora: Self.corpora).build(into: directory).manifest
        #expect(manifest.fineTunes.map { $0.id } == [0, 1, 2])
        #expect(Set(manifest.answerKey.map { $0.parent }) == ["a", "r", "b"])
        let none = try #require(manifest.answerKey.first { $0.parent == "r" })
        #expect(none.base == nil)
        #expect(manifest.fineTunes[none.id].decoding.maxTotalTokens == 250)
        #expect(manifest.answerKey.filter { $0.base != nil }.allSatisfy { $0.base == $0.parent })
        // Fine-tunes keep their parent's tokenizer.
        let a = try #require(manifest.bases.first { $0.name == "a" })
        let fa = try #require(manifest.fineTunes.first { $0.model.name == "fa" })
        #expect(fa.model.tokenizer == a.tokenizer)
    }

    @Test func oracleAnswersLikeTheAPIAndCountsQueries() async throws {
        let directory = temporaryDirectory("oracle")
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try ZooBuilder(spec: Self.spec, corpora: Self.corpora).build(into: directory)
        let oracle = try SimulatedOracle(directory: directory)
        let replay = try SimulatedOracle(directory: directory)
        for round in 0..<5 {
            for id in 0..<3 {
                let answer = try await oracle.ask(model: id, prompt: "Hello there \(round)")
                #expect(answer.generatedText == "Hello there \(round)" + answer.continuation && answer.promptEchoed)
                #expect(answer.serverCount == round + 1)
                #expect(try await replay.ask(model: id, prompt: "Hello there \(round)") == answer)
            }
        }
        #expect(try await oracle.queryCounts() == [0: 5, 1: 5, 2: 5])
        #expect(await oracle.totalQueries == 15)
        await #expect(throws: SimulationError.unknownModel(id: 3, count: 3)) { try await oracle.ask(model: 3, prompt: "x") }
    }
}

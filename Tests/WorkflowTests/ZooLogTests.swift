import Corpora
import Engine
@testable import Experiments
import Foundation
import Oracles
import Simulation
import Testing
@testable import Workflow

/// `attrib zoo log`: a zoo's fine-tunes asked through the simulator, written in both formats,
/// read back by the log readers, with the zoo's answer key.
@Suite(.serialized) struct ZooLogTests {
    /// The round-1 prompts as two small corpora.
    static func corpus(_ name: String) throws -> Corpus {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("../shared/mlmac/round1-log").standardizedFileURL
        let set = name == "alpha" ? "DialoGPT" : "Multilingual-MiniLM-L12-H384"
        let text = try String(contentsOf: root.appendingPathComponent("\(set)/prompts.csv"), encoding: .utf8)
        return Corpus(source: CorpusSource(name: name, packages: [], files: [], format: .plainText, summary: "test"),
                      documents: text.split(separator: "\n").map(String.init))
    }

    @Test func aZooLogReadsBackWithItsKeyInBothFormats() async throws {
        let spec = ZooSpec(
            name: "logged", seed: 3,
            bases: [ModelSpec(name: "a", corpus: "alpha", tokenizer: "byte", order: 3),
                    ModelSpec(name: "b", corpus: "beta", tokenizer: "byte", order: 2)],
            references: [],
            fineTunes: [FineTuneSpec(name: "fa", base: "a", domain: "beta", strength: 0.3),
                        FineTuneSpec(name: "fb", base: "b", domain: "alpha", strength: 0.3)])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attrib-zoo-log-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let zoo = try ZooBuilder(spec: spec, corpora: Self.corpus).build(into: directory.appendingPathComponent("zoo"))
        let pool = PromptPool(prompts: ["The ", "multi\nline", "Hello", "a", "Σ"])
        for format in ZooLog.Format.allCases {
            let out = directory.appendingPathComponent("log-\(format.rawValue)")
            let written = try await ZooLog(zooDirectory: directory.appendingPathComponent("zoo"), pool: pool, queries: 7, seed: 5,
                                           format: format).write(to: out)
            let path = format == .jsonl ? out.appendingPathComponent("log.jsonl").path : out.path
            let log = try QueryLog.load(path: path)
            #expect(log.records.count == 2 * 7)
            #expect(log.records.map(\.prompt) == written.records.map(\.prompt))
            #expect(log.records.map(\.response) == written.records.map(\.response))
            if format == .mlmacDir {
                // One prompt list for every model, without the prompt MLMAC's layout cannot hold.
                #expect(!log.records.contains { $0.prompt.contains("\n") })
                #expect(log.records.filter { $0.model == 0 }.map(\.prompt) == log.records.filter { $0.model == 1 }.map(\.prompt))
            }
            let key = try AnswerKey.load(path: out.appendingPathComponent("answer-key.csv").path)
            #expect(key.truth == zoo.manifest.truth)
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(".\(out.lastPathComponent).partial").path))
        }
    }
}

import ArgumentParser
import Corpora
import Foundation

/// `attrib corpus NAME --split S`: one installed corpus's documents of one split, as JSON
/// lines, for tools outside attrib (the real scenario fine-tunes real models on them), so the
/// splits are attrib's own (`CorpusSplit`) everywhere.
struct CorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Print one installed corpus's documents of one split as JSON lines (one JSON string per document).",
        discussion: "Splits are attrib's: train (80%), finetune (10%), heldout (10%), by a stable hash of each document.")

    @Argument(help: "Corpus name (see scripts/install-corpora.sh).") var name: String
    @Option(help: "train, finetune or heldout.") var split: CorpusSplit = .finetune
    @Option(help: "Stop after this many bytes of documents (0: all).") var maxBytes = 0

    func validate() throws {
        guard maxBytes >= 0 else { throw ValidationError("--max-bytes must not be negative, got \(maxBytes).") }
    }

    func run() throws {
        FileHandle.standardOutput.write(Data(try lines().map { $0 + "\n" }.joined().utf8))
    }

    /// The documents as JSON strings, up to `maxBytes` of them.
    func lines() throws -> [String] {
        let corpus = try Corpus.load(name)
        var bytes = 0
        var out: [String] = []
        for document in corpus.documents(in: split) {
            if maxBytes > 0 && bytes >= maxBytes { break }
            bytes += document.utf8.count
            out.append(String(decoding: try JSONEncoder().encode(document), as: UTF8.self))
        }
        return out
    }
}

extension CorpusSplit: ExpressibleByArgument {}

import ArgumentParser
import Common
import Experiments
import Foundation
import Oracles
import Workflow

/// `attrib log export --journal J --out F.jsonl`: a journal as JSONL, one query a line.
struct LogExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a query journal as JSONL: model, prompt, response, time, set (the run id), run_id, sequence.",
        discussion: "Only answered queries are exported. The file is written through a temporary file renamed into place.")

    @Option(help: "The query journal (SQLite).") var journal: String
    @Option(help: "The JSONL file to write.") var out: String

    func run() throws {
        let log: QueryLog
        do { log = try QueryLog.load(path: journal, format: .journal) } catch { throw CommandFailure("\(error)") }
        try atomicWrite(Data(log.jsonl().utf8), to: URL(fileURLWithPath: out))
        note("wrote \(log.records.count) queries of \(log.sets.count) runs to \(out)")
    }
}

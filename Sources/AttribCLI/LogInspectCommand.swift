import ArgumentParser
import Common
import Experiments
import Foundation
import Oracles
import Workflow

/// `attrib log inspect PATH`: records per set and model, unmatched and empty ones, lengths.
struct LogInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Count a log's records per set and model: unmatched prompts, empty continuations, continuation lengths.",
        discussion: """
            Every record that cannot be read is reported as FILE:LINE: reason on standard error, \
            and the exit status is then 1. --json prints exactly \
            {"sets": {"<set>": {"<model id>": {"records": n, "unmatched": n, "empty_continuations": n}}}}.
            """)

    @Argument(help: "The log: a MLMAC set directory (or a folder of them), a journal, a .jsonl or a .csv file.") var path: String
    @OptionGroup var log: LogOptions
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func run() throws {
        let (queryLog, problems) = QueryLog.read(path: path, format: log.format, columns: try log.mapping())
        for problem in problems { note("\(problem)") }
        let inspection = LogInspection(queryLog)
        if json {
            let encoder = attribJSONEncoder()
            print(String(decoding: try encoder.encode(inspection.json), as: UTF8.self))
        } else {
            print("set model records unmatched empty length: p10 p50 p90 max (characters)")
            for set in inspection.sets.keys.sorted() {
                for (model, counts) in inspection.sets[set]!.sorted(by: { Int($0.key)! < Int($1.key)! }) {
                    let lengths = inspection.lengths[set]?[Int(model)!] ?? []
                    let q = [0.1, 0.5, 0.9, 1.0].map { LogInspection.quantile(lengths, $0) }
                    print("\(set) \(model) \(counts.records) \(counts.unmatched) \(counts.empty_continuations) \(q.map(String.init).joined(separator: " "))")
                }
            }
            print("\(queryLog.records.count) records, \(problems.count) problems")
        }
        if !problems.isEmpty { throw ExitCode(1) }
    }
}

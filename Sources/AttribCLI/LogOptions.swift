import ArgumentParser
import Common
import Experiments
import Foundation
import Oracles
import Workflow

/// Where a log is and how to read it: shared by `log inspect` and `replay`.
struct LogOptions: ParsableArguments {
    @Option(help: "Log format (auto: a directory is mlmac-dir, .sqlite a journal, .jsonl JSONL, .csv CSV).") var format = LogFormat.auto
    @Option(help: ArgumentHelp("Which CSV column or JSONL field holds each part, e.g. model=fid,prompt=input,response=output.",
                               valueName: "part=name,..."))
    var columns: String?

    func mapping() throws -> ColumnMapping {
        do { return try columns.map { try ColumnMapping(parsing: $0) } ?? ColumnMapping() } catch {
            throw ValidationError("\(error)")
        }
    }

    func validate() throws { _ = try mapping() }
}

import ArgumentParser
import Common
import Experiments
import Foundation
import Oracles
import Workflow

extension LogFormat: ExpressibleByArgument {}
extension Replay.Order: ExpressibleByArgument {}
extension ZooLog.Format: ExpressibleByArgument {}

/// `attrib log`: query logs (MLMAC releases, attrib's journals, JSONL and CSV).
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Inspect and export query logs.",
        subcommands: [LogInspectCommand.self, LogExportCommand.self])
}

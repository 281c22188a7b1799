import ArgumentParser
import AttributionCore
import Common
import Foundation
import Workflow

/// `attrib bench`: benchmarks that print figures (never timed tests).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the engine's hot paths and print figures.",
        subcommands: [BenchSelect.self])
}

import ArgumentParser
import Common
import Experiments
import Foundation
import Workflow

/// `attrib experiment merge SPEC SHARD_DIR...`: joins shards' cells into one results folder and writes its tables.
struct ExperimentMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the cells of shard folders into one results folder and remake its tables and plots.")

    @Argument(help: "Experiment spec (JSON).") var spec: String
    @Argument(help: "Shard results folders to join.") var shards: [String]
    @Option(help: "The joined results folder (default: Results/NAME).") var out: String?

    func run() throws {
        let spec = try ExperimentSpec.load(path: self.spec)
        let outURL = URL(fileURLWithPath: out ?? Repository.path("Results/\(spec.name)"), isDirectory: true)
        let target = outURL.appendingPathComponent("cells")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        var copied = 0
        for shard in shards {
            let cells = URL(fileURLWithPath: shard).appendingPathComponent("cells")
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: cells.path) else {
                throw CommandFailure("\(shard) has no cells/ folder (is it an experiment's results folder?)")
            }
            for name in names where name.hasSuffix(".json") {
                let destination = target.appendingPathComponent(name)
                guard cells.appendingPathComponent(name).standardizedFileURL != destination.standardizedFileURL else { continue }
                try? FileManager.default.removeItem(at: destination)
                try FileManager.default.copyItem(at: cells.appendingPathComponent(name), to: destination)
                copied += 1
            }
        }
        try Self.report(spec: spec, directory: outURL)
        note("joined \(copied) cells into \(outURL.path)")
    }

    /// results.csv and summary.md from the folder's cells, then the plots when matplotlib is there.
    static func report(spec: ExperimentSpec, directory: URL) throws {
        let report = try ExperimentReport.load(spec: spec, directory: directory)
        let missing = spec.cells.count - report.cells.count
        try report.write(to: directory, leaderboard: URL(fileURLWithPath: Repository.path(DefaultPaths.round1Leaderboard)),
                         ceiling: OracleCeiling.load(forZoo: report.spec.zoo))
        if missing > 0 { note("\(missing) of \(spec.cells.count) cells are not in \(directory.path) yet (other shards?)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "scripts/plot-experiment.py", directory.path]
        if (try? process.run()) != nil {
            process.waitUntilExit()
            if process.terminationStatus != 0 { note("plots skipped: scripts/plot-experiment.py failed (bash scripts/install-plotting.sh installs matplotlib)") }
        }
    }
}

import ArgumentParser
import Common
import Experiments
import Foundation
import Workflow

/// `attrib experiment`: a grid of full runs over a simulated zoo, with its tables and plots.
struct ExperimentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Run an experiment spec: every cell a calibrated run against the simulated zoo, in parallel and resumable.",
        discussion: """
            Writes Results/NAME/cells/<cell>.json as each cell finishes (a killed run restarts \
            where it stopped), then results.csv (one row per cell and fine-tune), summary.md \
            (ranked by the MLMAC rules) and, when python3 has matplotlib \
            (bash scripts/install-plotting.sh), the plots of scripts/plot-experiment.py. \
            --shard i/n runs a deterministic share of the cells (a job array on a batch \
            scheduler); `attrib experiment merge` joins the shards' folders. The spec format \
            is in Experiments/README.md.
            """,
        subcommands: [ExperimentRun.self, ExperimentMerge.self], defaultSubcommand: ExperimentRun.self)
}

/// A `--shard i/n` value.
struct Shard: ExpressibleByArgument {
    var index: Int
    var count: Int

    init?(argument: String) {
        let parts = argument.split(separator: "/").compactMap { Int($0) }
        guard parts.count == 2, parts[1] >= 1, (1...parts[1]).contains(parts[0]) else { return nil }
        index = parts[0]
        count = parts[1]
    }
}

struct ExperimentRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run (or resume) an experiment spec.")

    @Argument(help: "Experiment spec (JSON), e.g. Experiments/round1-like-strategies.json.") var spec: String
    @Option(help: "Results folder (default: Results/NAME).") var out: String?
    @Option(help: "Working folder for the zoo, references, calibration and tensor store.") var work = DefaultPaths.experimentWork
    @Option(help: "Cells run at once.") var jobs = 2
    @Option(help: ArgumentHelp("Run only shard i of n (1-based), e.g. 2/4.", valueName: "i/n")) var shard: Shard?
    @OptionGroup var calibration: CalibrationOptions

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1, got \(jobs).") }
    }

    func run() async throws {
        try await execute()
    }

    func execute() async throws {
        let spec = try ExperimentSpec.load(path: self.spec)
        let outURL = URL(fileURLWithPath: out ?? Repository.path("Results/\(spec.name)"), isDirectory: true)
        var experiment = Experiment(spec: spec, out: outURL, work: URL(fileURLWithPath: DefaultPaths.resolve(work, default: DefaultPaths.experimentWork), isDirectory: true))
        experiment.jobs = jobs
        experiment.shard = shard.map { ($0.index, $0.count) }
        experiment.calibrationText = calibration.text
        experiment.commit = ExperimentRun.commit()
        let start = Date()
        let bar = ProgressLine("cells")
        try await experiment.run(events: EventPrinter(answers: false, start: start).print, progress: { bar.update($0, $1) })
        try ExperimentMerge.report(spec: spec, directory: outURL)
        note(String(format: "%@ done in %.1f s: %@", spec.name, Date().timeIntervalSince(start), outURL.path))
    }

    /// The repository's HEAD commit, when `git` can tell.
    static func commit() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "rev-parse", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return process.terminationStatus == 0 ? text.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }
}

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

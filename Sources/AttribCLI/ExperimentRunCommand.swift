import ArgumentParser
import Common
import Experiments
import Foundation
import Workflow

/// `attrib experiment run SPEC`: runs (or resumes) the cells of an experiment spec, then writes its tables.
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

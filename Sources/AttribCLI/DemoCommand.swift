import ArgumentParser
import Engine
import Experiments
import Foundation
import Workflow

/// `attrib demo`: the main job on the embedded default.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Attribute the embedded simulated challenge over real HTTP and score it.",
        discussion: """
            Builds the zoo (cached under --work), starts the simulator server on a free loopback \
            port, runs `attrib run` against it with EIG selection and again with random selection \
            (the baseline, same stopping rule), and scores both with the MLMAC rules against the \
            zoo's answer key. Needs the corpora: bash scripts/install-corpora.sh.
            """)

    @Option(help: "Zoo specification.") var zoo = DefaultPaths.zoo
    @Option(help: "Working folder for the zoo, the store and the journals.") var work = DefaultPaths.demoWork
    @Option(help: "Seed of the simulated API's sampling (the engine's seed is --seed).") var responseSeed: UInt64 = 1
    @Flag(help: "Skip the random-selection baseline.") var noBaseline = false
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Option(help: "Prompts in the built-in pool (drawn from held-out corpus text).") var poolSize = Demo.defaultPoolSize
    @Option(help: ObservationSettings.help("driftOrder")) var driftOrder = EngineSettings().observation.driftOrder
    @OptionGroup var engine: EngineOptions
    @OptionGroup var scheduling: RunOptions
    @OptionGroup var calibration: CalibrationOptions

    /// The zoo specification to build: the default under the repository, or as given.
    var zooPath: String { DefaultPaths.resolve(zoo, default: DefaultPaths.zoo) }

    func validate() throws {
        guard FileManager.default.fileExists(atPath: zooPath) else {
            throw ValidationError("The zoo specification \(zooPath) does not exist (pass --zoo, or set ATTRIB_ROOT to the repository).")
        }
        guard (2...4096).contains(poolSize) else { throw ValidationError("--pool-size must be in 2...4096 (got \(poolSize)).") }
        guard (1...6).contains(driftOrder) else { throw ValidationError("--drift-order must be in 1...6, got \(driftOrder).") }
        try calibration.validate(with: engine)
    }

    func run() async throws {
        try await execute()
    }

    func execute() async throws {
        var settings = engine.settings(scheduling.settings)
        settings.observation.driftOrder = driftOrder
        var demo = Demo(zooSpec: URL(fileURLWithPath: zooPath), workDirectory: URL(fileURLWithPath: DefaultPaths.resolve(work, default: DefaultPaths.demoWork)),
                        settings: settings, responseSeed: responseSeed)
        demo.runBaseline = !noBaseline
        demo.calibrationText = calibration.text
        demo.poolSize = poolSize
        // Each step's line carries the seconds since the start, so a slow step shows itself.
        let outcome = try await demo.execute(events: EventPrinter(answers: false, start: Date()).print)
        if json {
            print(DemoSummary(outcome).json)
        } else {
            print(DemoSummary(outcome).table)
        }
    }
}

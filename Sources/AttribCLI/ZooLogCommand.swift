import ArgumentParser
import Engine
import Experiments
import Foundation

/// `attrib zoo log ZOO_DIR`: a query log of a built zoo through the simulator.
struct ZooLogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Ask each fine-tune of a built zoo N random pool prompts through the simulator over HTTP; write the log and its answer key.",
        discussion: "mlmac-dir gives every model the same prompts (MLMAC's layout); jsonl gives each its own shuffle of the pool.")

    @Argument(help: "A built zoo (the folder holding manifest.json).") var zoo: String
    @Option(help: "Queries per fine-tune.") var queries = 50
    @Option(help: "Seed of the prompt choice and of the simulator's answers.") var seed: UInt64 = 1
    @Option(help: "Prompt pool to draw from.") var pool = DefaultPaths.demoPool
    @Option(help: "Log format.") var format = ZooLog.Format.jsonl
    @Option(help: "Output folder (replaced).") var out: String

    func validate() throws {
        guard queries >= 1 else { throw ValidationError("--queries must be at least 1, got \(queries).") }
    }

    func run() async throws {
        try await execute()
    }

    func execute() async throws {
        let job = ZooLog(zooDirectory: URL(fileURLWithPath: zoo, isDirectory: true), pool: try PromptPool.load(path: DefaultPaths.resolve(pool, default: DefaultPaths.demoPool)),
                         queries: queries, seed: seed, format: format)
        _ = try await job.write(to: URL(fileURLWithPath: out), events: EventPrinter(answers: false).print)
    }
}

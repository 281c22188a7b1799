import ArgumentParser

/// The root of the `attrib` command tree. It holds only configuration; each job is a subcommand.
public struct AttribCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "attrib",
        abstract: "Attribute fine-tuned language models to their base models with as few API queries as possible.",
        subcommands: [DemoCommand.self, RunCommand.self, ReplayCommand.self, PrecomputeCommand.self, LogCommand.self, ServeCommand.self, WorkerCommand.self, CorpusCommand.self,
                      ZooCommand.self, ExperimentCommand.self, BenchCommand.self])

    public init() {}
}

import ArgumentParser
import Calibration
import Corpora
import Foundation
import Oracles
import Simulation
import Workflow

/// `attrib zoo figures DIR`: continuation lengths and distinguishability of a built zoo against the real round 1.
struct ZooFiguresCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "figures",
        abstract: "Continuation lengths (simulated vs real round 1) and a distinguishability table for a built zoo.",
        discussion: """
            (a) Samples every fine-tune on the real round-1 prompts (both sets of --round1-log) at \
            its decoding settings and prints the character-length distribution beside the real \
            round-1 responses, computed by the same code. (b) Samples every fine-tune on the \
            held-out default prompt pool and scores the responses under every candidate base: mean \
            raw log-likelihood per token and mean total decoded log-likelihood per response \
            (natural log, end-of-text included), with the true base's rank. Deterministic for a \
            given zoo and --seed. Build the zoo first: attrib zoo build SPEC --out DIR.
            """)

    @Argument(help: "A built zoo (the --out of `attrib zoo build`).") var directory: String
    @Option(help: "Samples per prompt, for both figures.") var samples = 4
    @Option(help: "Held-out prompts for the distinguishability table.") var prompts = 32
    @Option(help: "Seed of the sampling (default: the zoo's seed).") var seed: UInt64?
    @Option(help: "The published round-1 log (prompt sets with prompts.csv and N.csv).")
    var round1Log = DefaultPaths.round1Log
    @Option(help: "Root of the installed corpora (default: $ATTRIB_CORPORA_ROOT or .cache/corpora/raw).") var corpora: String?
    @Option(help: "Also write the Markdown report to this file.") var output: String?
    @Flag(help: "Print JSON instead of Markdown.") var json = false

    /// Round 1's model 10 (XLNet) alone had a 250-token limit; its rows are reported apart.
    static let realLongWriters: Set<Int> = [10]

    func validate() throws {
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1, got \(samples).") }
        guard prompts >= 1 else { throw ValidationError("--prompts must be at least 1, got \(prompts).") }
        guard FileManager.default.fileExists(atPath: URL(fileURLWithPath: directory).appendingPathComponent("manifest.json").path) else {
            throw ValidationError("\(directory) holds no manifest.json: build the zoo first (attrib zoo build SPEC --out \(directory)).")
        }
    }

    func run() throws {
        let logs: [ReplayLog]
        do {
            logs = try ReplayLog.loadAll(root: URL(fileURLWithPath: DefaultPaths.resolve(round1Log, default: DefaultPaths.round1Log)))
        } catch let error as ReplayLogError {
            throw CommandFailure("The round-1 log cannot be read: \(error.description)")
        }
        let roundPrompts = logs.flatMap(\.prompts)
        var real: [Int: [String]] = [:]
        for log in logs {
            for (id, records) in log.models { real[id, default: []] += records.map(\.continuation) }
        }

        let root = corpora.map { URL(fileURLWithPath: $0) }
        let pool = try ZooFiguresCommand.heldOutPool(count: prompts, root: root)

        let figures = try ZooFiguresCommand.figures(directory: directory, seed: seed)
        let start = Date()
        let lengths = figures.continuationLengths(
            prompts: roundPrompts, samplesPerPrompt: samples, realResponses: real, realLongWriters: Self.realLongWriters)
        note(String(format: "lengths: %.1f s", Date().timeIntervalSince(start)))
        let table = figures.distinguishability(prompts: pool, samplesPerPrompt: samples)
        note(String(format: "lengths and distinguishability: %.1f s", Date().timeIntervalSince(start)))

        let report = ZooFiguresReport(zoo: figures.manifest.name, command: commandLine(), lengths: lengths, distinguishability: table)
        let markdown = report.markdown()
        if let output {
            try Data(markdown.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        }
        print(json ? try report.json() : markdown, terminator: "")
    }

    /// The command as typed, for the header of the generated file (output path omitted).
    func commandLine() -> String {
        var parts = ["attrib zoo figures", directory, "--samples \(samples)", "--prompts \(prompts)"]
        if let seed { parts.append("--seed \(seed)") }
        if round1Log != DefaultPaths.round1Log { parts.append("--round1-log \(round1Log)") }
        return parts.joined(separator: " ")
    }

    /// The held-out default pool of `count` prompts (the demo's pool), or a clear error.
    static func heldOutPool(count: Int, root: URL?) throws -> [String] {
        do {
            let sources = try NoneReference.sources.map { try Corpus.load($0, root: root) }
            return DefaultPool.make(corpora: sources, count: count).prompts
        } catch let error as CustomStringConvertible {
            throw CommandFailure("The held-out prompts need the corpora (bash scripts/install-corpora.sh): \(error.description)")
        }
    }

    /// Every model of the zoo built in `directory`, or a clear error.
    static func figures(directory: String, seed: UInt64?) throws -> ZooFigures {
        do {
            return try ZooFigures(directory: URL(fileURLWithPath: directory), seed: seed)
        } catch let error as CustomStringConvertible {
            throw CommandFailure(error.description)
        }
    }
}

import Engine
import ArgumentParser
import Foundation
import Oracles
import Transport
import Workflow

/// `attrib run`: an automated minimal-query attribution run against a live API.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Attribute every fine-tuned model an MLMAC-compatible (or OpenAI-compatible) API serves.",
        discussion: """
            The token comes from --token-file (which must not be world-readable) or the \
            MLMAC_API_TOKEN environment variable; it is never printed or journaled. Every query is \
            journaled before it is sent; rerun the same command (same --journal, --run-id and \
            --seed) after an interruption and answered queries replay from the journal instead \
            of being paid again. Writes submission.csv and report.json into --out.

            Before the run, beta and the answer cap are fitted on calibration models (fine-tunes \
            of the bases toward --calibration-text, and unlisted models for None), as `attrib \
            demo` does; the fit is cached next to --store and recorded in report.json. \
            --no-calibration uses --beta and --answer-cap as given.
            """)

    @Option(help: "Base URL of the API, e.g. http://127.0.0.1:8080.") var api: String
    @Option(help: "The API's kind: mlmac (POST /query?model=N) or openai (POST /v1/completions).") var apiKind: APIKind = .mlmac
    @Option(help: "openai: the suspects, comma-separated, model N being the N-th: a model name served at --api, or a base URL of its own server.")
    var apiModels: String?
    @Option(help: "openai: new tokens asked per query (max_tokens); the observation model uses the same limit.") var maxTokens = 8
    @Option(help: "Bases file (JSON: decoding, bases with model files, optional None reference).") var bases: String
    @Option(help: "Prompt pool (one prompt per line, or JSONL with prompt/id/cost).") var pool: String
    @Option(help: "mlmac: number of fine-tuned models the API serves (ids 0..N-1; default 12). openai: the count of --api-models, and refused if it differs.")
    var models: Int?
    @Option(help: "Query journal (SQLite).") var journal = "attrib-journal.sqlite"
    @Option(help: "Journal run id; reuse it to resume an interrupted run.") var runID = "run"
    @Option(help: "Response-distribution store (SQLite).") var store = "attrib-store.sqlite"
    @Option(help: "Output folder for submission.csv and report.json.") var out = "attrib-out"
    @Option(help: "File holding the API token.") var tokenFile: String?
    @OptionGroup var engine: EngineOptions
    @OptionGroup var scheduling: RunOptions
    @OptionGroup var calibration: CalibrationOptions

    enum APIKind: String, ExpressibleByArgument, CaseIterable { case mlmac, openai }

    func validate() throws {
        try OutputFolder.check(out, flag: "--out")
        if let models, models < 1 { throw ValidationError("--models must be at least 1.") }
        if apiKind == .openai {
            guard apiModels != nil else { throw ValidationError("--api-kind openai needs --api-models (one entry per suspect).") }
            guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be at least 1.") }
            let count = openAITargets().count
            guard count >= 1 else { throw ValidationError("--api-models names no suspect.") }
            if let models, models != count {
                throw ValidationError("--models \(models) disagrees with --api-models, which names \(count) suspects; with --api-kind openai the suspects are --api-models (drop --models).")
            }
        } else if apiModels != nil {
            throw ValidationError("--api-models applies to --api-kind openai only.")
        }
        try calibration.validate(with: engine)
    }

    func run() async throws {
        try await execute()
    }

    /// The suspects of --api-models: a name served at --api, or a URL of its own.
    func openAITargets() -> [OpenAICompletionsOracle.Target] {
        (apiModels ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { entry in
            entry.hasPrefix("http://") || entry.hasPrefix("https://")
                ? .init(url: entry, model: "") : .init(url: api, model: entry)
        }
    }

    func execute() async throws {
        let source: OracleSource
        let models: AttributionJob.Models
        var ids = Array(0..<(self.models ?? 12))
        switch apiKind {
        case .mlmac:
            source = .mlmac(url: api, token: try APIToken.resolve(file: tokenFile))
            models = try engine.hypothesisModels(path: bases)
        case .openai:
            let targets = openAITargets()
            ids = Array(0..<targets.count)
            // The observation model's length limit is what the run asks for: max_tokens new tokens.
            models = try engine.hypothesisModels(path: bases, newTokens: maxTokens)
            // A key from --token-file or OPENAI_API_KEY, when there is one (local servers need none).
            let hasKey = tokenFile != nil || ProcessInfo.processInfo.environment["OPENAI_API_KEY"] != nil
            let token = hasKey ? try APIToken.resolve(file: tokenFile, variable: "OPENAI_API_KEY") : nil
            source = .openAI(targets: targets, temperature: models.settings.temperature, maxTokens: maxTokens, token: token)
            note("asking \(targets.count) suspects at temperature \(models.settings.temperature) for \(maxTokens) new tokens each query")
        }
        let job = AttributionJob(models: models, pool: try PromptPool.load(path: pool),
                                 settings: engine.settings(scheduling.settings), calibration: calibration.policy(store: store),
                                 storePath: store)
        let outcome = try await job.execute(source: source, journal: JournalSpec(path: journal, runID: runID),
                                            modelIDs: ids, events: EventPrinter(answers: true).print)
        try outcome.report.write(to: URL(fileURLWithPath: out))
        print(outcome.report.submissionCSV, terminator: "")
        note("\(outcome.report.queries) queries; \(outcome.journal.map { "\($0)" } ?? "no journal")")
        note("wrote \(out)/submission.csv and \(out)/report.json")
    }
}

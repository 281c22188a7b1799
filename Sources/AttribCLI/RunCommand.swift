import ArgumentParser
import Foundation
import Oracles
import Workflow

/// `attrib run`: an automated minimal-query attribution run against a live API.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Attribute every fine-tuned model an MLMAC-compatible API serves.",
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
    @Option(help: "Bases file (JSON: decoding, bases with model files, optional None reference).") var bases: String
    @Option(help: "Prompt pool (one prompt per line, or JSONL with prompt/id/cost).") var pool: String
    @Option(help: "Number of fine-tuned models the API serves (ids 0..N-1).") var models = 12
    @Option(help: "Query journal (SQLite).") var journal = "attrib-journal.sqlite"
    @Option(help: "Journal run id; reuse it to resume an interrupted run.") var runID = "run"
    @Option(help: "Response-distribution store (SQLite).") var store = "attrib-store.sqlite"
    @Option(help: "Output folder for submission.csv and report.json.") var out = "attrib-out"
    @Option(help: "File holding the API token.") var tokenFile: String?
    @OptionGroup var engine: EngineOptions
    @OptionGroup var scheduling: RunOptions
    @OptionGroup var calibration: CalibrationOptions

    func validate() throws {
        guard models >= 1 else { throw ValidationError("--models must be at least 1.") }
        try calibration.validate(with: engine)
    }

    func run() throws {
        let command = self
        try blockingAwait { try await command.execute() }
    }

    func execute() async throws {
        let token = try APIToken.resolve(file: tokenFile)
        let job = AttributionJob(models: try engine.hypothesisModels(path: bases), pool: try PromptPool.load(path: pool),
                                 settings: engine.settings(scheduling.settings), calibration: calibration.policy(store: store),
                                 storePath: store)
        let outcome = try await job.execute(source: .mlmac(url: api, token: token), journal: JournalSpec(path: journal, runID: runID),
                                            modelIDs: Array(0..<models), events: EventPrinter(answers: true).print)
        try outcome.report.write(to: URL(fileURLWithPath: out))
        print(outcome.report.submissionCSV, terminator: "")
        note("\(outcome.report.queries) queries; \(outcome.journal.map { "\($0)" } ?? "no journal")")
        note("wrote \(out)/submission.csv and \(out)/report.json")
    }
}

/// `attrib precompute`: calibrates as `run` would, then fills the response-distribution store.
struct PrecomputeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precompute",
        abstract: "Precompute the EIG tensors of a prompt pool into the response-distribution store.",
        discussion: """
            Calibrates first, exactly as `attrib run` with the same options does (the tensors \
            depend on the fitted beta), so a later run with those options finds every tensor in \
            the store. Resumable: tensors already stored under their fingerprint are not computed again.
            """)

    @Option(help: "Bases file (JSON).") var bases: String
    @Option(help: "Prompt pool.") var pool: String
    @Option(help: "Response-distribution store (SQLite).") var store = "attrib-store.sqlite"
    @OptionGroup var engine: EngineOptions
    @OptionGroup var calibration: CalibrationOptions

    func validate() throws {
        try calibration.validate(with: engine)
    }

    func run() throws {
        let start = Date()
        let job = AttributionJob(models: try engine.hypothesisModels(path: bases), pool: try PromptPool.load(path: pool),
                                 settings: engine.settings(), calibration: calibration.policy(store: store), storePath: store)
        let prepared = try job.prepare(events: EventPrinter(answers: false).print)
        print(String(format: "%d prompts: %d from the store, %d computed in %.1f s (%d states x %d samples each)",
                     prepared.pool.count, prepared.cached, prepared.computed, Date().timeIntervalSince(start),
                     prepared.bank.space.stateCount, prepared.settings.samples))
    }
}

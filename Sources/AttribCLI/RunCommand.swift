import ArgumentParser
import Foundation
import Oracles
import Storage
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
        let basesFile = try engine.basesFile(path: bases)
        let hypotheses = try basesFile.hypothesisModels(directory: URL(fileURLWithPath: bases).deletingLastPathComponent())
        let promptPool = try PromptPool.load(path: pool)
        var settings = engine.settings
        var fitted: Calibration?
        if let text = calibration.text {
            let documents = try text.documents()
            let cacheDirectory = URL(fileURLWithPath: store).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
            note("calibrating beta and the answer cap on \(documents.count) documents of \(calibration.calibrationText ?? "the built-in calibration text")")
            let (c, cached) = try Calibration.apply(to: &settings, cacheDirectory: cacheDirectory, models: hypotheses,
                                                    pool: promptPool, domains: documents)
            fitted = c
            note(c.summary(cached: cached))
        }
        let progress = ProgressLine("precompute")
        var live = LiveRun(apiURL: api, token: token, models: hypotheses, pool: promptPool, settings: settings,
                           modelIDs: Array(0..<models), storePath: store, journalPath: journal, runID: runID)
        live.calibration = fitted
        let outcome = try await live.execute(log: { note($0) }, precomputeProgress: { progress.update($0, $1) })
        try outcome.report.write(to: URL(fileURLWithPath: out))
        print(outcome.report.submissionCSV, terminator: "")
        note("\(outcome.report.queries) queries; \(outcome.journal)")
        note("wrote \(out)/submission.csv and \(out)/report.json")
    }
}

/// `attrib precompute`: fills the response-distribution store for a pool.
struct PrecomputeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precompute",
        abstract: "Precompute the EIG tensors of a prompt pool into the response-distribution store.",
        discussion: "Resumable: tensors already stored under their fingerprint are not computed again.")

    @Option(help: "Bases file (JSON).") var bases: String
    @Option(help: "Prompt pool.") var pool: String
    @Option(help: "Response-distribution store (SQLite).") var store = "attrib-store.sqlite"
    @OptionGroup var engine: EngineOptions

    func run() throws {
        let command = self
        try blockingAwait { try await command.execute() }
    }

    func execute() async throws {
        let basesFile = try engine.basesFile(path: bases)
        let hypotheses = try basesFile.hypothesisModels(directory: URL(fileURLWithPath: bases).deletingLastPathComponent())
        let promptPool = try PromptPool.load(path: pool)
        let builder = engine.settings.tensorBuilder(models: hypotheses)
        let progress = ProgressLine("precompute")
        let start = Date()
        let outcome = try Precompute(builder: builder, store: try Storage.ResponseStore(path: store), threads: engine.threads)
            .bank(for: promptPool) { progress.update($0, $1) }
        print(String(format: "%d prompts: %d from the store, %d computed in %.1f s (%d states x %d samples each)",
                     promptPool.count, outcome.cached, outcome.computed, Date().timeIntervalSince(start),
                     builder.space.stateCount, builder.samples))
    }
}

import ArgumentParser
import Common
import Engine
import Experiments
import Foundation
import Oracles
import Workflow

/// `attrib replay`: the engine over a query log instead of a live API.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a query log: which logged queries would the engine have needed, in what order, and would it be right?",
        discussion: """
            Each model's pool is its logged prompts (a prompt logged k times may be asked k times), \
            answered from the log: --order eig lets the engine choose, log consumes the log in its \
            own order and random in a seeded shuffle, all under the same stopping rule (a model \
            whose log runs out stops with "log exhausted"). Calibrated as `attrib run` is. With \
            --answers (MLMAC's answer-key format) the MLMAC score. Writes report.json, \
            submission.csv and replay.json into --out when given.
            """)

    @Option(help: "The log: a MLMAC set directory (or a folder of them), a journal, a .jsonl or a .csv file.") var log: String
    @OptionGroup var logOptions: LogOptions
    @Option(help: "Bases file (JSON).") var bases: String
    @Option(help: "Answer key (MLMAC format: model_id,...,base_model).") var answers: String?
    @Option(help: "Order in which each model's logged queries are consumed.") var order = Replay.Order.eig
    @Option(help: "Response-distribution store (SQLite).") var store = "attrib-store.sqlite"
    @Option(help: "Output folder for report.json, submission.csv and replay.json.") var out: String?
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @OptionGroup var engine: EngineOptions
    @OptionGroup var scheduling: RunOptions
    @OptionGroup var calibration: CalibrationOptions

    func validate() throws {
        if let out { try OutputFolder.check(out, flag: "--out") }
        try calibration.validate(with: engine)
    }

    func run() async throws {
        try await execute()
    }

    func execute() async throws {
        let queryLog: QueryLog
        let key: AnswerKey?
        do {
            queryLog = try QueryLog.load(path: log, format: logOptions.format, columns: try logOptions.mapping())
            key = try answers.map { try AnswerKey.load(path: $0) }
        } catch let error as QueryLogProblems {
            throw CommandFailure("the log has \(error.problems.count) problems:\n\(error)")
        }
        let replay = Replay(log: queryLog, models: try engine.hypothesisModels(path: bases), settings: engine.settings(scheduling.settings),
                            calibration: calibration.policy(store: store), storePath: store, order: order, answerKey: key)
        let (outcome, report) = try await replay.execute(events: EventPrinter(answers: false).print)
        let encoder = attribJSONEncoder()
        let object = try encoder.encode(outcome)
        if let out {
            try report.write(to: URL(fileURLWithPath: out))
            try atomicWrite(object, to: URL(fileURLWithPath: out).appendingPathComponent("replay.json"))
        }
        if json {
            print(String(decoding: object, as: UTF8.self))
            return
        }
        print("model attribution truth conf queries/logged stop")
        for m in outcome.per_model {
            print("\(m.model) \(m.attribution) \(m.truth?.name ?? "-") \(String(format: "%.3f", m.confidence)) \(m.queries_used)/\(m.queries_logged) \(m.stop_reason?.description ?? "running")")
        }
        let score = outcome.correct.map { "\($0)/\(outcome.total ?? 0) correct, " } ?? ""
        print("\(order.rawValue) order: \(score)\(outcome.queries_used) of \(outcome.queries_logged) logged queries used")
    }
}

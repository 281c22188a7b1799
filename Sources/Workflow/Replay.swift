import Engine
import AttributionCore
import Common
import Foundation
import Oracles

/// `attrib replay`: the engine over a released query log instead of a live API. Each model's
/// pool is its own logged prompts (a prompt logged k times may be asked k times), answered
/// from the log in the chosen order, under the same calibration, tensors and stopping rule as
/// a live run. With an answer key, the MLMAC score.
public struct Replay: Sendable {
    /// The order in which a model's logged queries are consumed.
    public enum Order: String, CaseIterable, Sendable, Codable {
        /// The engine's choice (the settings' strategy, EIG by default).
        case eig
        /// The log's own order: what the logger asked, in that order, under the same stopping rule.
        case log
        /// A seeded shuffle of the model's logged queries.
        case random
    }

    public var log: QueryLog
    public var models: AttributionJob.Models
    public var settings: EngineSettings
    public var calibration: AttributionJob.CalibrationPolicy
    public var storePath: String?
    public var order: Order
    public var answerKey: AnswerKey?

    public init(log: QueryLog, models: AttributionJob.Models, settings: EngineSettings, calibration: AttributionJob.CalibrationPolicy,
                storePath: String?, order: Order, answerKey: AnswerKey?) {
        self.log = log
        self.models = models
        self.settings = settings
        self.calibration = calibration
        self.storePath = storePath
        self.order = order
        self.answerKey = answerKey
    }

    /// The pool (every distinct logged prompt, in order of first appearance) and each model's
    /// logged prompts as pool indices, in log order.
    public static func pool(of log: QueryLog) -> (pool: PromptPool, logged: [Int: [Int]]) {
        var index: [String: Int] = [:], prompts: [String] = [], logged: [Int: [Int]] = [:]
        for r in log.records {
            if index[r.prompt] == nil {
                index[r.prompt] = prompts.count
                prompts.append(r.prompt)
            }
            logged[r.model, default: []].append(index[r.prompt]!)
        }
        return (PromptPool(prompts: prompts), logged)
    }

    /// What a replay found, per model and in all (`--json` prints it).
    public struct Outcome: Codable, Sendable {
        public var order: Order
        /// Right attributions and models scored, with an answer key.
        public var correct: Int?
        public var total: Int?
        public var queries_used: Int
        public var queries_logged: Int
        public var per_model: [PerModel]

        public struct PerModel: Codable, Sendable {
            public var model: Int
            public var attribution: Attribution
            public var truth: Attribution?
            public var correct: Bool?
            public var confidence: Double
            /// Posterior probability per hypothesis name.
            public var posterior: [String: Double]
            public var queries_used: Int
            public var queries_logged: Int
            public var stop_reason: StopReason?
            /// The prompts asked, in order (index into the replay's pool), with their EIG in nats when chosen by EIG.
            public var asked: [Asked]
        }

        public struct Asked: Codable, Sendable {
            public var prompt: Int
            public var eig: Double?
        }
    }

    /// Checks the log against the key (every logged model must be in it), prepares and runs.
    public func execute(events: @escaping @Sendable (JobEvent) -> Void = { _ in }) async throws -> (outcome: Outcome, report: RunReport) {
        if let answerKey {
            for r in log.records where answerKey.truth[r.model] == nil {
                throw ReplayLogError(file: r.file, line: r.line, reason: "model \(r.model) is not in the answer key \(answerKey.file)")
            }
            // The key must speak of this log and these bases, or the score means nothing.
            let logged = Set(log.records.map(\.model)), bases = Set(models.baseNames)
            if let id = answerKey.truth.keys.sorted().first(where: { !logged.contains($0) }) {
                throw AttribError.invalid(file: answerKey.file, field: "model_id \(id)", reason: "is a model the log never asked")
            }
            if let (id, base) = answerKey.truth.sorted(by: { $0.key < $1.key }).compactMap({ k, v in v.base.map { (k, $0) } })
                .first(where: { !bases.contains($0.1) }) {
                throw AttribError.invalid(file: answerKey.file, field: "model_id \(id)", reason:
                    "names the base \(base), which the bases file does not list (it lists \(models.baseNames.joined(separator: ", ")))")
            }
        }
        let (pool, logged) = Self.pool(of: log)
        var settings = self.settings
        switch order {
        case .eig: break
        case .log: settings.scheduling.strategy = .fixed
        case .random: settings.scheduling.strategy = .random
        }
        let job = AttributionJob(models: models, pool: pool, settings: settings, calibration: calibration, storePath: storePath)
        let prepared = try job.prepare(events: events)
        let quota = PromptQuota(logged: logged, inLogOrder: order == .log), ids = log.modelIDs
        let result = try await OracleSource.replay(log).using(concurrency: settings.scheduling.concurrency) { opened in
            try await prepared.run(on: opened, journal: nil, modelIDs: ids, quota: quota, events: events)
        }
        let report = result.report
        let names = report.hypotheses
        let score = answerKey.map { key in Score(models: report.models, answerKey: key.truth) }
        var perModel: [Outcome.PerModel] = []
        for (k, m) in report.models.sorted(by: { $0.model < $1.model }).enumerated() {
            perModel.append(Outcome.PerModel(
                model: m.model, attribution: m.attribution, truth: score?.truths[k], correct: score?.right[k],
                confidence: m.confidence, posterior: Dictionary(uniqueKeysWithValues: zip(names, m.posterior)),
                queries_used: m.queries, queries_logged: logged[m.model]?.count ?? 0, stop_reason: m.stopReason,
                asked: m.asked.map { Outcome.Asked(prompt: $0.prompt, eig: $0.eig) }))
        }
        let outcome = Outcome(order: order, correct: score?.correct, total: score?.total, queries_used: report.queries,
                              queries_logged: log.records.count, per_model: perModel)
        return (outcome, report)
    }
}

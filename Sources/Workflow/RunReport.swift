import AttributionCore
import Calibration
import Common
import Engine
import Foundation
import LanguageModels

/// What a run writes: per-model attributions with their evidence, and totals.
public struct RunReport: Codable, Sendable {
    public var hypotheses: [String]
    public var strategy: String
    public var settings: EngineSettings
    public var models: [ModelAttribution]
    /// Queries the engine used (answers recorded), all models.
    public var queries: Int
    /// Largest per-query EIG (nats) of the pool under the prior: the capacity C of the Fano floor.
    public var capacityNats: Double
    /// Fano floor on mean queries per model at the threshold's error rate.
    public var fanoQueriesPerModel: Double
    /// The calibration the run's beta came from, when it was fitted.
    public var calibration: Calibration?
    /// The decoding the observation model assumed, which is what a run against an
    /// OpenAI-compatible API asks for (temperature, `maxNewTokens` as `max_tokens`).
    public var decoding: DecodingSettings?

    public init(bank: PromptBank, settings: EngineSettings, strategy: String, models: [ModelAttribution]) {
        hypotheses = bank.space.hypothesisNames
        self.strategy = strategy
        self.settings = settings
        self.models = models
        queries = models.reduce(0) { $0 + $1.queries }
        capacityNats = bank.eig(logWeights: bank.space.logPriorStates).max() ?? 0
        fanoQueriesPerModel = capacityNats > 0
            ? FanoBound.minimumQueries(hypotheses: bank.space.hypothesisCount, errorRate: 1 - settings.stopping.threshold, capacityNats: capacityNats) : .infinity
    }

    /// The MLMAC submission: `model_id,base_model`, one line per fine-tuned model.
    public var submissionCSV: String {
        "model_id,base_model\n" + models.sorted { $0.model < $1.model }.map { "\($0.model),\($0.attribution)" }.joined(separator: "\n") + "\n"
    }

    /// Writes `submission.csv` and `report.json` into `directory` (created if needed),
    /// each through a temporary file renamed into place, so nothing half-written is left.
    public func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = attribJSONEncoder(pretty: true)
        try atomicWrite(Data(submissionCSV.utf8), to: directory.appendingPathComponent("submission.csv"))
        try atomicWrite(try encoder.encode(self), to: directory.appendingPathComponent("report.json"))
    }
}

/// MLMAC scoring of attributions against an answer key.
public struct Score: Codable, Sendable, Equatable {
    public var correct: Int
    public var total: Int
    public var queries: Int
    public var queriesPerModel: [Int]
    /// (stated confidence, correct) per model, for calibration tables.
    public var confidence: [Double]
    public var right: [Bool]
    /// The true attribution of each model, by public id like the lists above (`None` for an id
    /// the key lacks).
    public var truths: [Attribution]

    /// The one scoring of attributions against a key, for every use (runs, replays, experiment cells).
    public init(models: [ModelAttribution], answerKey: [Int: Attribution]) {
        let sorted = models.sorted { $0.model < $1.model }
        truths = sorted.map { answerKey[$0.model] ?? .none }
        right = zip(sorted, truths).map { $0.attribution == $1 }
        correct = right.filter { $0 }.count
        total = sorted.count
        queriesPerModel = sorted.map(\.queries)
        queries = queriesPerModel.reduce(0, +)
        confidence = sorted.map(\.confidence)
    }
}

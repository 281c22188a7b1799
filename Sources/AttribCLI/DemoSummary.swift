import Calibration
import Common
import Experiments
import Foundation
import Workflow

/// What `attrib demo` prints: a table for a person or one JSON object.
struct DemoSummary {
    let outcome: Demo.Outcome

    init(_ outcome: Demo.Outcome) { self.outcome = outcome }

    struct JSON: Encodable {
        let zoo: String
        let correct, total, queries: Int
        let queries_per_model: [Int]
        let confidence: [Double]
        let right: [Bool]
        /// Attribution and true base (`None` for none) of each model, by public id like the lists above.
        let attributions: [String]
        let truths: [String]
        let baseline: Baseline?
        let fano_queries_per_model: Double
        let capacity_nats: Double
        let queries_counted_by_server: Int?
        let seconds: Double
        /// Seconds from the start at which each step ended (`Demo.Outcome.stepEnds`).
        let step_ends: [String: Double]
        let beta: Double
        let calibration: Calibration?
        struct Baseline: Encodable { let correct, queries: Int; let queries_per_model: [Int] }
    }

    var json: String {
        let s = outcome.eigScore
        let counted = outcome.eig.journal.map { $0.perModel.values.reduce(0) { $0 + ($1.serverCounted ?? 0) } }
        let models = outcome.eig.report.models.sorted { $0.model < $1.model }
        let object = JSON(zoo: outcome.manifest.name, correct: s.correct, total: s.total, queries: s.queries,
                          queries_per_model: s.queriesPerModel, confidence: s.confidence, right: s.right,
                          attributions: models.map(\.attribution.name), truths: s.truths.map(\.name),
                          baseline: outcome.baselineScore.map { .init(correct: $0.correct, queries: $0.queries, queries_per_model: $0.queriesPerModel) },
                          fano_queries_per_model: outcome.eig.report.fanoQueriesPerModel, capacity_nats: outcome.eig.report.capacityNats,
                          queries_counted_by_server: counted, seconds: outcome.seconds, step_ends: outcome.stepEnds,
                          beta: outcome.eig.report.settings.observation.beta, calibration: outcome.eig.report.calibration)
        let encoder = attribJSONEncoder()
        return String(decoding: try! encoder.encode(object), as: UTF8.self)
    }

    var table: String {
        var lines = ["zoo \(outcome.manifest.name): \(outcome.manifest.bases.count) candidate bases + None, \(outcome.manifest.fineTunes.count) fine-tunes",
                     "",
                     pad("id", 3) + pad("truth", 28) + pad("attribution", 28) + pad("conf", 7) + pad("queries", 8) + "ok"]
        let score = outcome.eigScore
        for (k, m) in outcome.eig.report.models.sorted(by: { $0.model < $1.model }).enumerated() {
            lines.append(pad("\(m.model)", 3) + pad(score.truths[k].name, 28) + pad(m.attribution.name, 28)
                         + pad(String(format: "%.3f", m.confidence), 7) + pad("\(m.queries)", 8) + (score.right[k] ? "yes" : "NO"))
        }
        let s = outcome.eigScore
        lines.append("")
        lines.append("EIG:      \(s.correct)/\(s.total) correct with \(s.queries) queries (\(String(format: "%.1f", Double(s.queries) / Double(max(1, s.total)))) per model)")
        if let b = outcome.baselineScore {
            lines.append("random:   \(b.correct)/\(b.total) correct with \(b.queries) queries (same stopping rule)")
        }
        lines.append(String(format: "Fano floor: %.2f queries per model (capacity %.3f nats per query)",
                            outcome.eig.report.fanoQueriesPerModel, outcome.eig.report.capacityNats))
        if let c = outcome.eig.report.calibration {
            lines.append(String(format: "calibration: beta %.2f, answer cap %@, fitted on %d calibration models (%d answers); %d of %d stopped at the threshold right",
                                c.beta, c.capDescription, c.models, c.responses, c.stopsRight, c.stops))
        }
        lines.append("server:   \(outcome.eig.journal.map { "\($0)" } ?? "no journal")")
        lines.append(String(format: "%.1f s", outcome.seconds))
        return lines.joined(separator: "\n")
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }
}

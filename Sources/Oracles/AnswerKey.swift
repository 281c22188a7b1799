import Common
import Foundation

/// An answer key in the MLMAC format (`round1-answer-key.csv`): a header with `model_id` and
/// `base_model`, then one row per fine-tuned model; `None` (or an empty cell) for a model of no
/// listed base. Other columns are ignored.
public struct AnswerKey: Sendable, Equatable {
    /// The true attribution of each public id.
    public var truth: [Int: Attribution]
    /// The fine-tuned model's name per id, when the key names it.
    public var names: [Int: String]
    public let file: String

    public init(truth: [Int: Attribution], names: [Int: String] = [:], file: String) {
        self.truth = truth
        self.names = names
        self.file = file
    }

    public static func load(path: String) throws -> AnswerKey {
        let data = try QueryLog.readFile(path)
        guard let text = String(data: data, encoding: .utf8) else {
            throw ReplayLogError(file: path, line: QueryLog.firstInvalidUTF8Line(data), reason: "is not valid UTF-8")
        }
        var rows: [(Int, [String])] = []
        var problems: [ReplayLogError] = []
        CSVScanner(text).scan(row: { rows.append(($0, $1)) }, problem: { problems.append(ReplayLogError(file: path, line: $0, reason: $1)) })
        if let first = problems.first { throw first }
        guard let header = rows.first, let idColumn = header.1.firstIndex(of: "model_id"),
              let baseColumn = header.1.firstIndex(of: "base_model") else {
            throw ReplayLogError(file: path, line: 1, reason: "the header must name the columns model_id and base_model")
        }
        let nameColumn = header.1.firstIndex(of: "fine_tuned_model")
        var truth: [Int: Attribution] = [:], names: [Int: String] = [:]
        for (line, fields) in rows.dropFirst() {
            guard fields.count > max(idColumn, baseColumn), let id = Int(fields[idColumn]), id >= 0 else {
                throw ReplayLogError(file: path, line: line, reason: "needs a whole model_id and a base_model")
            }
            guard truth[id] == nil else { throw ReplayLogError(file: path, line: line, reason: "model \(id) appears twice") }
            let base = fields[baseColumn].trimmingCharacters(in: .whitespaces)
            truth[id] = Attribution(name: base)
            if let nameColumn, fields.count > nameColumn { names[id] = fields[nameColumn] }
        }
        guard !truth.isEmpty else { throw ReplayLogError(file: path, line: 0, reason: "holds no rows") }
        return AnswerKey(truth: truth, names: names, file: path)
    }

    /// The key as MLMAC writes it.
    public func csv() -> String {
        "model_id,fine_tuned_model,base_model\n" + truth.keys.sorted().map { id in
            let name = names[id] ?? ""
            let quoted = name.contains(",") || name.contains("\"") ? "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : name
            return "\(id),\(quoted),\(truth[id]?.name ?? Attribution.noneName)"
        }.joined(separator: "\n") + "\n"
    }
}

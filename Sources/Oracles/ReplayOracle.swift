import Common

/// A query log as an `Oracle`: each fine-tuned model answers from its own logged
/// (prompt, response) pairs. Asking a prompt returns its next unused logged response, in log
/// order; each pair is used once (a prompt logged k times is k samples). Nothing is paid.
public actor ReplayOracle: Oracle {
    /// Per model, per prompt: the logged responses not yet used, in log order.
    private var unused: [Int: [String: [String]]] = [:]
    private var asked: [Int: Int] = [:]

    public init(log: QueryLog) {
        for r in log.records { unused[r.model, default: [:]][r.prompt, default: []].append(r.response) }
    }

    public func ask(model: Int, prompt: String) throws -> OracleAnswer {
        guard var responses = unused[model]?[prompt], !responses.isEmpty else {
            throw ReplayOracleError.exhausted(model: model, prompt: prompt)
        }
        let response = responses.removeFirst()
        unused[model]![prompt] = responses
        asked[model, default: 0] += 1
        return OracleAnswer(prompt: prompt, continuation: response)
    }

    /// Queries answered per model so far.
    public func queryCounts() -> [Int: Int]? { asked }
}

/// A replayed model was asked for more than its log holds.
public enum ReplayOracleError: Error, Equatable, CustomStringConvertible {
    case exhausted(model: Int, prompt: String)

    public var description: String {
        switch self {
        case .exhausted(let model, let prompt):
            return "model \(model): the log holds no unused response to \(ReplayLog.preview(prompt)) (log exhausted)"
        }
    }
}

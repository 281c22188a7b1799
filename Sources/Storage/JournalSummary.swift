/// "Queries we spent" beside "queries the server counted", for one run.
public struct JournalSummary: Sendable, Equatable, CustomStringConvertible {
    /// Tallies for one fine-tuned model.
    public struct ModelTally: Sendable, Equatable {
        /// Completed queries: answers the engine could use.
        public var answered: Int
        /// Requests that may have reached the server: client retries, failed sends and the
        /// lost attempts found at reconciliation (an upper bound when a failed send was
        /// also reconciled).
        public var requestsSent: Int
        /// Requests the server counted with no answer kept (found at reconciliation).
        public var lostAttempts: Int
        /// The server's count now minus its count when the run began; nil if unknown.
        public var serverCounted: Int?
    }

    public var runID: String
    public var perModel: [Int: ModelTally]
    /// Entries still intended (a crashed or failing query).
    public var pending: Int

    public var answered: Int { perModel.values.reduce(0) { $0 + $1.answered } }
    public var requestsSent: Int { perModel.values.reduce(0) { $0 + $1.requestsSent } }
    /// Sum over models; nil when any model's count is unknown.
    public var serverCounted: Int? {
        perModel.values.reduce(Optional(0)) { sum, tally in
            guard let sum, let counted = tally.serverCounted else { return nil }
            return sum + counted
        }
    }
    /// Counted minus answered: queries paid for without a usable answer (0 when all is well).
    public var discrepancy: Int? { serverCounted.map { $0 - answered } }

    public var description: String {
        var lines = ["Run \(runID): \(answered) answered, \(requestsSent) requests sent, "
            + "server counted \(serverCounted.map(String.init) ?? "unknown"), \(pending) pending."]
        for model in perModel.keys.sorted() {
            let tally = perModel[model]!
            let counted = tally.serverCounted.map(String.init) ?? "unknown"
            let flag = tally.serverCounted.map { $0 != tally.answered ? " (differs by \($0 - tally.answered))" : "" } ?? ""
            lines.append("  model \(model): answered \(tally.answered), sent \(tally.requestsSent), "
                + "server counted \(counted)\(flag)")
        }
        return lines.joined(separator: "\n")
    }
}

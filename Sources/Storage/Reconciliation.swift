/// What `QueryJournal.reconcile` found for one model after a restart, comparing the
/// server's `GET /status` count with the last count the journal had seen.
public struct Reconciliation: Sendable, Equatable, CustomStringConvertible {
    public enum Finding: Sendable, Equatable {
        /// The pending query never reached the counter: re-sending it costs nothing extra.
        case notCounted
        /// The server counted this many requests for the pending query but we hold no
        /// answer (lost in the crash); re-sending pays once more, and the journal says so.
        case countedWithoutAnswer(Int)
        /// No earlier count for this model was known, so the loss cannot be measured.
        case unknown
        /// The server counted this many queries that no journal entry accounts for (another
        /// client on the same token, or a journal from another machine).
        case unexplainedCount(Int)
        /// The server now counts fewer queries than it did (a fresh or reset server): its
        /// counts no longer compare with the journal's.
        case countWentBack(from: Int, to: Int)
    }

    public var model: Int
    /// The pending entry; nil for `unexplainedCount`.
    public var key: QueryKey?
    public var finding: Finding

    public init(model: Int, key: QueryKey?, finding: Finding) {
        self.model = model
        self.key = key
        self.finding = finding
    }

    public var description: String {
        let subject = key.map { "\($0)" } ?? "model \(model)"
        switch finding {
        case .notCounted:
            return "\(subject): intended but not counted by the server; re-sending it."
        case .countedWithoutAnswer(let n):
            return "\(subject): the server counted \(n) request(s) whose answer was lost; re-sending it."
        case .unknown:
            return "\(subject): intended, and no earlier server count is known; re-sending it."
        case .unexplainedCount(let n):
            return "\(subject): the server counted \(n) query(ies) that the journal does not account for."
        case .countWentBack(let from, let to):
            return "\(subject): the server now counts \(to) queries where it counted \(from) before (a fresh or reset server?); "
                + "its counts no longer compare with the journal's."
        }
    }
}

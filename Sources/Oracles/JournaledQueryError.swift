import Storage

/// Why a journaled query failed: the API or the journal. Prints as the underlying sentence.
public enum JournaledQueryError: Error, Sendable, CustomStringConvertible {
    /// The source failed (for the HTTP clients, an `APIError`).
    case api(any Error)
    case journal(JournalError)

    public var description: String {
        switch self {
        case .api(let error): return String(describing: error)
        case .journal(let error): return error.description
        }
    }
}

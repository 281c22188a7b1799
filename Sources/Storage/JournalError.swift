/// Why the query journal refused or failed. Prints as a sentence naming the file or key.
public enum JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The SQLite file could not be opened or migrated.
    case open(path: String, reason: String)
    /// A read or write failed.
    case database(path: String, operation: String, reason: String)
    /// The journal holds another prompt under this key: the engine did not replay the
    /// same sequence (different seed, code or inputs).
    case divergence(key: QueryKey, journaledPrompt: String)
    /// A completion or update for a key that was never intended.
    case unknownKey(QueryKey)

    public var description: String {
        switch self {
        case .open(let path, let reason):
            return "Cannot open the query journal \(path): \(reason)."
        case .database(let path, let operation, let reason):
            return "The query journal \(path) failed to \(operation): \(reason)."
        case .divergence(let key, let journaled):
            return "The query journal holds a different prompt for \(key) "
                + "(journaled \(Self.excerpt(journaled)), now \(Self.excerpt(key.prompt))); "
                + "the run is not replaying the same sequence, so use a new run id."
        case .unknownKey(let key):
            return "The query journal has no intent recorded for \(key)."
        }
    }

    private static func excerpt(_ text: String) -> String {
        text.count <= 40 ? "\"\(text)\"" : "\"\(text.prefix(40))…\" (\(text.count) characters)"
    }
}

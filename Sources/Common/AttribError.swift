/// A failure a user can act on, as one sentence naming what to fix: the file and field, the
/// file as a whole, the command-line option, or the folder in use.
public enum AttribError: Error, Equatable, CustomStringConvertible {
    /// A field of a file (`bases.2.name`) is wrong.
    case invalid(file: String, field: String, reason: String)
    /// A file or folder as a whole cannot be used (missing, unreadable, not JSON, not replaceable).
    case unusable(path: String, reason: String)
    /// A command-line option's value does not fit what it names (`--prompts 99` past the pool).
    case option(flag: String, reason: String)
    /// What a step needs and was not given (`attrib run` against a paid API without a journal).
    case unmet(requirement: String)
    /// Another attrib process holds the folder's lock.
    case busy(directory: String)
    /// Another process (its id, when known) is running on this query journal.
    case journalInUse(path: String, holder: Int32?)

    public var description: String {
        switch self {
        case .busy(let d):
            return "\(d) is in use by another attrib demo (it holds \(d)/.lock); wait for it to finish, or pass another --work folder"
        case .invalid(let f, let field, let r): return "\(f): field \"\(field)\": \(r)"
        case .unusable(let path, let r): return "\(path): \(r)"
        case .option(let flag, let r): return "\(flag): \(r)"
        case .unmet(let requirement): return requirement
        case .journalInUse(let path, let holder):
            return "the query journal \(path) is in use by \(holder.map { "process \($0)" } ?? "another process") (an attrib run on it); "
                + "wait for it to finish, or pass another --journal: two runs on one journal would each send the other's pending queries again"
        }
    }
}

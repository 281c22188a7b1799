/// A failure a user can act on, as one sentence naming the file and field (or the folder).
public enum AttribError: Error, Equatable, CustomStringConvertible {
    case invalid(file: String, field: String, reason: String)
    case busy(directory: String)

    public var description: String {
        switch self {
        case .busy(let d):
            return "\(d) is in use by another attrib demo (it holds \(d)/.lock); wait for it to finish, or pass another --work folder"
        case .invalid(let f, let field, let r): return "\(f): field \"\(field)\": \(r)"
        }
    }
}

/// Why the simulator could not start.
public enum SimulatorError: Error, Sendable, Equatable, CustomStringConvertible {
    case tokenFile(path: String, line: Int, reason: String)
    case bind(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .tokenFile(let path, let line, let reason):
            return line > 0 ? "Token file \(path), line \(line): \(reason)."
                : "Token file \(path): \(reason)."
        case .bind(let host, let port, let reason):
            return "The simulator could not listen on \(host):\(port): \(reason)."
        }
    }
}

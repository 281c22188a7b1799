import Foundation

extension APIToken {
    /// The environment variable read by default.
    public static let defaultEnvironmentVariable = "MLMAC_API_TOKEN"

    /// Reads the token from environment variable `variable`.
    public static func fromEnvironment(
        _ variable: String = defaultEnvironmentVariable,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(TokenError) -> APIToken {
        guard let value = environment[variable] else { throw .missingEnvironment(variable: variable) }
        return try APIToken(value, source: "the environment variable \(variable)")
    }

    /// Reads the token from the file at `path` (the whole file, whitespace trimmed).
    /// Refuses a file that other users can read (mode bit `o+r`).
    public static func fromFile(_ path: String) throws(TokenError) -> APIToken {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .unreadableFile(path: path, reason: String(cString: strerror(errno)))
        }
        guard info.st_mode & S_IFMT != S_IFDIR else { throw .unreadableFile(path: path, reason: "is a folder, not a file holding the token") }
        let mode = UInt16(info.st_mode & 0o7777)
        if mode & 0o004 != 0 { throw .worldReadable(path: path, mode: mode) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadableFile(path: path, reason: "permission denied or not a file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadableFile(path: path, reason: "not UTF-8 text")
        }
        return try APIToken(text, source: "the file \(path)")
    }

    /// The token from `file` when given, else from `variable`.
    public static func resolve(
        file: String?, variable: String = defaultEnvironmentVariable,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(TokenError) -> APIToken {
        if let file { return try fromFile(file) }
        guard environment[variable] != nil else { throw .noSource(variable: variable) }
        return try fromEnvironment(variable, environment: environment)
    }
}

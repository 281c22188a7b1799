import Foundation

/// The bearer tokens the simulator accepts, each with a user name for `/status` and logs.
///
/// File format: one token per line, optionally followed by whitespace and a name;
/// blank lines and lines starting with `#` are skipped. Names default to `user1`, `user2`...
public struct TokenRegistry: Sendable {
    /// Token to user name.
    let names: [String: String]

    public init(tokens: [String: String]) {
        names = tokens
    }

    /// Reads the token file at `path`.
    public init(contentsOf path: String) throws(SimulatorError) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw .tokenFile(path: path, line: 0, reason: "does not exist (one token per line: TOKEN or TOKEN NAME)")
        }
        guard !isFolder.boolValue else { throw .tokenFile(path: path, line: 0, reason: "is a folder, not a token file") }
        // As `attrib run` refuses a readable token file, the server refuses readable tokens.
        if let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int, mode & 0o004 != 0 {
            throw .tokenFile(path: path, line: 0, reason: "mode \(String(mode & 0o777, radix: 8)) lets every user read the tokens; run `chmod 600 \(path)`")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .tokenFile(path: path, line: 0, reason: "cannot be read (permission denied)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .tokenFile(path: path, line: 0, reason: "is not UTF-8 text")
        }
        var names: [String: String] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            let token = String(fields[0])
            guard names[token] == nil else {
                throw .tokenFile(path: path, line: index + 1, reason: "the token is listed twice")
            }
            names[token] = fields.count > 1 ? fields[1...].joined(separator: " ") : "user\(names.count + 1)"
        }
        guard !names.isEmpty else { throw .tokenFile(path: path, line: 0, reason: "no tokens") }
        self.names = names
    }

    /// The user name for an `Authorization` header value, or nil when it is not a known
    /// `Bearer` token.
    func user(authorization: String?) -> String? {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return nil }
        return names[String(authorization.dropFirst("Bearer ".count))]
    }
}

import Foundation

/// An API bearer token (the MLMAC API's, or an OpenAI-compatible server's key). It never
/// prints: `description`, `debugDescription` and reflection (`dump`, string interpolation)
/// show `APIToken(redacted)`.
///
/// Load it with `fromEnvironment(_:)` or `fromFile(_:)` (see `APIToken+Loading.swift`).
/// Only the HTTP clients of this package read the secret, through `authorizationValue`, to
/// build the `Authorization` header.
public struct APIToken: Sendable, Equatable, CustomStringConvertible,
    CustomDebugStringConvertible, CustomReflectable {
    /// The secret itself; internal so no other module can print it.
    let secret: String

    /// Wraps a token string. Leading and trailing whitespace (a trailing newline in a
    /// file) is removed. `source` names where it came from, for error messages.
    public init(_ text: String, source: String = "the token") throws(TokenError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .empty(source: source) }
        guard !trimmed.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F })
        else { throw .invalidCharacters(source: source) }
        secret = trimmed
    }

    /// `Bearer <token>`, the value of the `Authorization` header.
    package var authorizationValue: String { "Bearer \(secret)" }

    /// `text` with every occurrence of the token replaced by `<redacted>`. Use it on any
    /// server text (error bodies, `/status`) before it goes into an error or a log.
    public func redact(_ text: String) -> String {
        text.replacingOccurrences(of: secret, with: "<redacted>")
    }

    public var description: String { "APIToken(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// Why a token could not be loaded. Messages name the variable or file, never the token.
public enum TokenError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingEnvironment(variable: String)
    case empty(source: String)
    case invalidCharacters(source: String)
    case unreadableFile(path: String, reason: String)
    /// The file's permission bits (octal) let any user read it.
    case worldReadable(path: String, mode: UInt16)
    case noSource(variable: String)

    public var description: String {
        switch self {
        case .missingEnvironment(let variable):
            return "The environment variable \(variable) is not set."
        case .empty(let source):
            return "The API token from \(source) is empty."
        case .invalidCharacters(let source):
            return "The API token from \(source) contains spaces or control characters."
        case .unreadableFile(let path, let reason):
            return "Cannot read the API token file \(path): \(reason)."
        case .worldReadable(let path, let mode):
            return "Refusing the API token file \(path): its mode \(String(mode, radix: 8)) "
                + "lets every user read it; run `chmod 600 \(path)`."
        case .noSource(let variable):
            return "No API token: set \(variable) or pass a token file."
        }
    }
}

import Common

/// Why a call to a text API (the MLMAC API, an OpenAI-compatible completions server) failed,
/// after the retries `RetryPolicy` allows.
///
/// Every case names the endpoint and, where there is one, the HTTP status or JSON field.
/// `attempts` counts the requests that may have reached the server, so a caller can
/// account for queries the server may have counted. No case ever holds the token:
/// server text is passed through `APIToken.redact(_:)` first. As an `OracleFailure`, the
/// journal records its `attempts`.
public enum APIError: Error, Sendable, Equatable, CustomStringConvertible, OracleFailure {
    /// 401 or 403: the token is missing, wrong or revoked.
    case unauthorized(status: Int, endpoint: String)
    /// The model answered 503 "currently loading" for longer than allowed (MLMAC API).
    case modelStillLoading(model: Int, waitedSeconds: Double, attempts: Int)
    /// 429 more times than allowed.
    case rateLimited(endpoint: String, attempts: Int)
    /// 5xx on every attempt.
    case serverError(status: Int, endpoint: String, attempts: Int)
    /// No HTTP response on the last attempt (timeout, reset, refused).
    case transport(TransportError, attempts: Int)
    /// A response whose body is not what the API specifies; `field` names the JSON field.
    case malformedResponse(status: Int, field: String, endpoint: String, attempts: Int)
    /// A status the API does not allow here (e.g. 404), not retried.
    case unexpectedStatus(status: Int, endpoint: String, bodyExcerpt: String)
    /// `generated_text` does not start with the prompt, and the caller required it (MLMAC API).
    case promptNotEchoed(model: Int, promptCharacters: Int)
    /// The request could not be built (bad base URL, model number or parameter).
    case invalidRequest(reason: String)
    /// The task was cancelled while waiting to retry.
    case cancelled(endpoint: String, attempts: Int)

    /// Requests that may have reached the server before this error.
    public var attempts: Int {
        switch self {
        case .modelStillLoading(_, _, let n), .rateLimited(_, let n), .serverError(_, _, let n),
             .transport(_, let n), .malformedResponse(_, _, _, let n), .cancelled(_, let n):
            return n
        case .unauthorized, .unexpectedStatus: return 1
        case .promptNotEchoed, .invalidRequest: return 0
        }
    }

    public var description: String {
        switch self {
        case .unauthorized(let status, let endpoint):
            return "The API refused the token at \(endpoint) (HTTP \(status)); "
                + "check the token file or variable."
        case .modelStillLoading(let model, let waited, let attempts):
            return "Model \(model) was still loading (HTTP 503) after waiting "
                + "\(Int(waited.rounded())) s over \(attempts) attempts."
        case .rateLimited(let endpoint, let attempts):
            return "The API kept rate-limiting \(endpoint) (HTTP 429) over \(attempts) attempts."
        case .serverError(let status, let endpoint, let attempts):
            return "The API answered HTTP \(status) at \(endpoint) on all \(attempts) attempts."
        case .transport(let error, let attempts):
            return "No response after \(attempts) attempts: \(error)"
        case .malformedResponse(let status, let field, let endpoint, let attempts):
            return "The response of \(endpoint) (HTTP \(status)) had a missing or invalid "
                + "field `\(field)` on all \(attempts) attempts."
        case .unexpectedStatus(let status, let endpoint, let excerpt):
            return "The API answered HTTP \(status) at \(endpoint): \(excerpt)"
        case .promptNotEchoed(let model, let characters):
            return "Model \(model)'s generated_text does not start with the "
                + "\(characters)-character prompt, so the continuation cannot be split off."
        case .invalidRequest(let reason):
            return "Cannot build the request: \(reason)."
        case .cancelled(let endpoint, let attempts):
            return "The call to \(endpoint) was cancelled after \(attempts) attempts."
        }
    }
}

/// Why a response body did not parse: the JSON field at fault (dotted, e.g.
/// `result.generated_text`, or `body` when the body is not JSON at all).
public struct BadField: Error, Sendable, Equatable {
    public var field: String

    public init(field: String) { self.field = field }
}

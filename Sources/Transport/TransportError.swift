import CCurlShim

/// A failure to get any HTTP response: the request may or may not have reached the server.
///
/// Prints as a sentence naming the curl result code and the URL (never headers or body).
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure, for retry decisions.
    public enum Kind: String, Sendable {
        /// The connection could not be opened (refused, DNS, unreachable).
        case connect
        /// The connect or total timeout expired.
        case timeout
        /// The connection broke after it was opened (reset, empty reply, partial body).
        case connectionLost
        /// TLS negotiation or certificate problem.
        case tls
        /// A local setup problem (bad URL, out of memory, option rejected).
        case local
    }

    public var kind: Kind
    /// libcurl's `CURLcode` value.
    public var curlCode: Int
    /// libcurl's text for the code (`curl_easy_strerror`) or the error buffer.
    public var message: String
    /// The request URL; query strings hold no secrets in this project.
    public var url: String

    public init(kind: Kind, curlCode: Int, message: String, url: String) {
        self.kind = kind
        self.curlCode = curlCode
        self.message = message
        self.url = url
    }

    /// Whether the request may have reached the server (and so may have been counted).
    public var mayHaveReachedServer: Bool { kind == .timeout || kind == .connectionLost }

    public var description: String {
        "HTTP request to \(url) failed (\(kind.rawValue), curl code \(curlCode)): \(message)."
    }

    /// Classifies a libcurl result code.
    static func classify(_ code: CURLcode) -> Kind {
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .connect
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE,
             CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return .connectionLost
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE:
            return .tls
        default:
            return .local
        }
    }
}

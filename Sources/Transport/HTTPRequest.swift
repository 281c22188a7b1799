/// One HTTP request as the transport sends it: method, absolute URL, headers and body.
///
/// Header values may hold secrets (the bearer token); `description` never prints them.
public struct HTTPRequest: Sendable, CustomStringConvertible, CustomReflectable {
    public enum Method: String, Sendable { case get = "GET", post = "POST" }

    public var method: Method
    /// Absolute URL, e.g. `http://127.0.0.1:8080/query?model=3`.
    public var url: String
    /// Header fields in order, as (name, value). Names are sent as given.
    public var headers: [(name: String, value: String)]
    /// Request body bytes; empty for GET.
    public var body: [UInt8]
    /// Connection timeout in seconds (TCP + TLS handshake).
    public var connectTimeout: Double
    /// Total timeout in seconds for the whole exchange, connection included.
    public var totalTimeout: Double

    public init(
        method: Method, url: String, headers: [(name: String, value: String)] = [],
        body: [UInt8] = [], connectTimeout: Double = 10, totalTimeout: Double = 60
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }

    /// Method and URL only: header values and body are left out on purpose.
    public var description: String { "\(method.rawValue) \(url)" }

    /// `dump` shows header names and the body size, never header values or the body.
    public var customMirror: Mirror {
        Mirror(self, children: ["method": method.rawValue, "url": url,
                                "headerNames": headers.map(\.name), "bodyBytes": body.count])
    }
}

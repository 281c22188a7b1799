/// Sends one HTTP request and returns the response, whatever its status.
///
/// Only failures to get a response at all (connection refused, reset, timeout, TLS) throw.
/// `CurlTransport` is the implementation; tests may plug in another.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse
}

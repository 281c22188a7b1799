import Common

/// Blocking HTTP for synchronous callers (a language model on an inference server is asked
/// from scoring loops that run on plain threads): each call borrows an idle `CurlEasy`, or
/// makes one, and performs the request on the calling thread, so several threads send at
/// once and connections stay alive between calls. No Swift concurrency is involved, so a
/// caller on a cooperative thread cannot deadlock waiting for another task.
public final class BlockingHTTPClient: Sendable {
    private let idle = Locked<[CurlEasy]>([])

    public init() {}

    /// Sends `request` and returns the response, whatever its status; only a failure to get
    /// one (refused, reset, timeout) throws.
    public func send(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse {
        let easy = idle.withLock { $0.popLast() } ?? CurlEasy()
        defer { idle.withLock { $0.append(easy) } }
        return try easy.perform(request)
    }
}

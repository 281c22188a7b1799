/// Several `CurlTransport`s behind one `HTTPTransport`, so that up to `size` requests run
/// at once (e.g. one query in flight per fine-tuned model). Each request takes an idle
/// transport, or waits in arrival order for one; connections stay alive per transport.
public actor CurlTransportPool: HTTPTransport {
    private var idle: [CurlTransport]
    private var waiting: [CheckedContinuation<CurlTransport, Never>] = []
    /// How many requests can be in flight at once.
    public nonisolated let size: Int

    public init(size: Int) {
        self.size = max(1, size)
        idle = (0..<max(1, size)).map { _ in CurlTransport() }
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let transport = await checkOut()
        defer { checkIn(transport) }
        return try await transport.send(request)
    }

    private func checkOut() async -> CurlTransport {
        if let transport = idle.popLast() { return transport }
        return await withCheckedContinuation { waiting.append($0) }
    }

    private func checkIn(_ transport: CurlTransport) {
        if waiting.isEmpty {
            idle.append(transport)
        } else {
            waiting.removeFirst().resume(returning: transport)
        }
    }
}

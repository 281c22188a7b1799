import CCurlShim

/// HTTP/1.1 and HTTPS over libcurl: one easy handle, reused so connections are kept alive.
///
/// The actor owns the handle and runs on its own thread (`ThreadExecutor`), because
/// `curl_easy_perform` blocks. Requests through one transport are therefore sequential;
/// use one transport per concurrent stream of requests. `close()` frees the handle at
/// a known point; `deinit` frees it otherwise. TLS is whatever the system libcurl offers.
/// Synchronous callers (language models on inference servers) use `CurlEasy` directly.
public actor CurlTransport: HTTPTransport {
    private let executor: ThreadExecutor
    private var easy: CurlEasy?

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    public init() {
        executor = ThreadExecutor(name: "attrib.curl")
        easy = CurlEasy()
    }

    deinit {
        executor.shutdown()
    }

    /// Frees the curl handle and its connections now. Later `send` calls throw.
    public func close() {
        easy = nil
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        guard let easy else {
            throw TransportError(kind: .local, curlCode: -1, message: "the transport is closed",
                                 url: request.url)
        }
        return try easy.perform(request)
    }
}

/// One libcurl easy handle and its error buffer: a blocking HTTP exchange on the calling
/// thread, connections kept alive between requests. Not thread-safe: one thread at a time
/// (`CurlTransport` confines it to its thread; `BlockingHTTPClient` lends one per call).
public final class CurlEasy: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer?
    let errorBuffer: UnsafeMutablePointer<CChar>

    public init() {
        raw = curl_easy_init()
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        if let raw { curl_easy_cleanup(raw) }
        errorBuffer.deallocate()
    }

    /// Sends `request` and waits for the whole response; only a failure to get one throws.
    public func perform(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse {
        guard let handle = raw else {
            throw TransportError(kind: .local, curlCode: -1, message: "curl_easy_init failed", url: request.url)
        }
        // Keeps live connections, DNS and TLS session caches; clears every option.
        curl_easy_reset(handle)
        let sink = ResponseSink()
        let sinkPointer = Unmanaged.passRetained(sink).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer {
            curl_slist_free_all(headerList)
            Unmanaged<ResponseSink>.fromOpaque(sinkPointer).release()
        }
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // No "Expect: 100-continue" round trip for bodies over 1 KiB.
        headerList = curl_slist_append(headerList, "Expect:")

        errorBuffer[0] = 0
        var setup = CURLE_OK
        func set(_ code: CURLcode) { if setup == CURLE_OK { setup = code } }
        set(attrib_curl_setopt_string(handle, CURLOPT_URL, request.url))
        set(attrib_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set(attrib_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        set(attrib_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS,
                                    Self.milliseconds(request.connectTimeout)))
        set(attrib_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS,
                                    Self.milliseconds(request.totalTimeout)))
        set(attrib_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
        set(attrib_curl_setopt_write_cb(handle, CURLOPT_WRITEFUNCTION, ResponseSink.onBody))
        set(attrib_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer))
        set(attrib_curl_setopt_write_cb(handle, CURLOPT_HEADERFUNCTION, ResponseSink.onHeader))
        set(attrib_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer))
        switch request.method {
        case .get:
            set(attrib_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        case .post:
            set(attrib_curl_setopt_long(handle, CURLOPT_POST, 1))
            set(attrib_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                                         curl_off_t(request.body.count)))
            // Copies the bytes, so the Swift array need not outlive this call.
            set(request.body.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) {
                    attrib_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS,
                                               UnsafeMutableRawPointer(mutating: $0.baseAddress
                                                   ?? UnsafePointer(errorBuffer)))
                }
            })
        }
        if setup != CURLE_OK { throw error(setup, request) }

        let result = curl_easy_perform(handle)
        if result != CURLE_OK { throw error(result, request) }
        var status = 0
        _ = attrib_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }

    private func error(_ code: CURLcode, _ request: HTTPRequest) -> TransportError {
        let detail = String(cString: errorBuffer)
        let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        return TransportError(kind: TransportError.classify(code), curlCode: Int(code.rawValue),
                              message: text, url: request.url)
    }

    /// Seconds to libcurl milliseconds, at least 1 ms (0 would mean "no timeout").
    private static func milliseconds(_ seconds: Double) -> Int {
        max(1, Int((seconds * 1000).rounded(.up)))
    }
}

/// Collects the body and header lines libcurl hands to its callbacks during one request.
private final class ResponseSink {
    var body: [UInt8] = []
    var headers: [String: String] = [:]

    static let onBody: attrib_curl_write_cb = { data, size, count, userdata in
        let sink = Unmanaged<ResponseSink>.fromOpaque(userdata!).takeUnretainedValue()
        let length = size * count
        if let data, length > 0 {
            data.withMemoryRebound(to: UInt8.self, capacity: length) {
                sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
            }
        }
        return length
    }

    static let onHeader: attrib_curl_write_cb = { data, size, count, userdata in
        let sink = Unmanaged<ResponseSink>.fromOpaque(userdata!).takeUnretainedValue()
        let length = size * count
        guard let data, length > 0 else { return length }
        let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
        if line.hasPrefix("HTTP/") {
            sink.headers = [:]  // a new response block (after 100 Continue or a redirect)
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t\r\n")
            sink.headers[name] = value
        }
        return length
    }
}

private extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, set.unicodeScalars.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.unicodeScalars.contains(last) { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}

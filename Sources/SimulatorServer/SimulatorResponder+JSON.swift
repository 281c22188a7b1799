import Foundation
import Hummingbird

extension SimulatorResponder {
    static let unauthorized = json(.unauthorized, [
        "status": "failed", "result": ["error": "missing or unknown Authorization Bearer token"],
    ])

    static func badRequest(_ reason: String) -> Response {
        json(.badRequest, ["status": "failed", "result": ["error": reason]])
    }

    /// A JSON response with sorted keys (stable bytes for golden tests).
    static func json(_ status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: encode(object))))
    }

    static func encode(_ object: [String: Any]) -> [UInt8] {
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? JSONSerialization.data(withJSONObject: object, options: options)) ?? Data("{}".utf8))
    }

    /// `[0: 15]` as the spec's `{"0": 15}`.
    static func wire(_ counts: [Int: Int]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: counts.map { (String($0.key), $0.value) })
    }

    /// `?model=N` for the log line, when the request had one.
    static func modelSuffix(_ request: Request) -> String {
        request.uri.queryParameters["model"].map { "?model=\($0)" } ?? ""
    }
}

/// Why an inference server could not be used, as one sentence naming the server.
public struct ServerModelError: Error, CustomStringConvertible, Sendable {
    public let url: String
    public let reason: String

    public init(url: String, reason: String) {
        self.url = url
        self.reason = reason
    }

    public var description: String { "inference server \(url): \(reason)" }
}

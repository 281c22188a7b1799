/// A zoo specification that cannot be used: names the file and the field.
public struct ZooSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// JSON path of the offending field, e.g. `bases[3].order`.
    public var field: String
    public var reason: String

    public init(file: String, field: String, reason: String) {
        self.file = file
        self.field = field
        self.reason = reason
    }

    public var description: String { "Zoo spec \(file): field '\(field)': \(reason)." }
}

/// Errors of this module. Each names the file, field or value it is about and prints as a sentence.
public enum LanguageModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A model file could not be parsed: `field` says which part was bad.
    case corruptModelFile(path: String, field: String, reason: String)
    /// A model file could not be read or written.
    case fileAccess(path: String, reason: String)
    /// A training or fine-tuning parameter is out of range.
    case invalidParameter(name: String, value: String, reason: String)
    /// Training data was empty or unusable.
    case emptyTrainingData(what: String)

    public var description: String {
        switch self {
        case let .corruptModelFile(path, field, reason):
            "Model file \(path) is corrupt in field '\(field)': \(reason)."
        case let .fileAccess(path, reason):
            "Cannot access model file \(path): \(reason)."
        case let .invalidParameter(name, value, reason):
            "Invalid \(name) = \(value): \(reason)."
        case let .emptyTrainingData(what):
            "No training data for \(what)."
        }
    }
}

/// Why a corpus could not be loaded. Prints as a sentence naming the source, the file
/// and the command that fixes it.
public enum CorpusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No source of that name in `CorpusCatalog.sources`.
    case unknownSource(name: String, known: [String])
    /// A file or directory the source needs is absent: the package is not installed.
    case missingFile(source: String, packages: [String], path: String)
    /// A file exists but cannot be parsed (e.g. a dictd index line is malformed).
    case malformed(source: String, path: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case let .unknownSource(name, known):
            return "unknown corpus '\(name)'; known corpora: \(known.joined(separator: ", "))"
        case let .missingFile(source, packages, path):
            return "corpus '\(source)' is not installed: \(path) is missing "
                + "(from Debian package \(packages.joined(separator: ", "))); "
                + "run `\(CorpusCatalog.installCommand)` from the repository root"
        case let .malformed(source, path, line, reason):
            return "corpus '\(source)': \(path):\(line): \(reason)"
        }
    }
}

import Foundation

/// The published round-1 responses of the MLMAC fine-tuned models
/// (`shared/mlmac/round1-log/<set>/`): for each prompt set, the prompts and, per model,
/// the (prompt, continuation) pairs it produced.
///
/// File format (inspected on the real files, not documented by IBM): `prompts.csv` holds
/// one prompt a line; `N.csv` holds model N's records in prompt order, each record being
/// the prompt immediately followed by the continuation and a line feed. There is no CSV
/// quoting: quote characters are literal text. A continuation may contain line feeds and
/// carriage returns, so a record can span several physical lines; it ends where the next
/// record's prompt begins at the start of a line (the last one at the end of the file).
/// Literal backslash sequences such as `\n` are kept as written, not unescaped (the two
/// published sets contain none). The response's echo of the prompt can lack the prompt's
/// trailing spaces (`Record.echo`).
public struct ReplayLog: Sendable, Equatable {
    /// One response: the prompt sent and what the model appended to it.
    public struct Record: Sendable, Equatable {
        /// The prompt as sent (from `prompts.csv`).
        public var prompt: String
        /// The prompt as echoed at the start of the response: equal to `prompt` except
        /// where the model's tokenizer dropped its trailing spaces.
        public var echo: String
        /// What the model wrote after the echo (may contain LF and CR).
        public var continuation: String
        /// 1-based physical line of `N.csv` where the record starts.
        public var line: Int
    }

    /// The prompt set's directory name, e.g. `"DialoGPT"`.
    public let set: String
    /// The prompts, in file order.
    public let prompts: [String]
    /// Records per fine-tuned model id (model 9 is absent from the published log).
    public let models: [Int: [Record]]

    /// Model ids present, ascending.
    public var modelIDs: [Int] { models.keys.sorted() }

    /// Parses one set directory: `prompts.csv` and every `N.csv` beside it.
    public static func load(setDirectory: URL) throws -> ReplayLog {
        let fm = FileManager.default
        let promptsURL = setDirectory.appendingPathComponent("prompts.csv")
        let prompts = try parsePrompts(readUTF8(promptsURL), file: promptsURL.path)
        var models: [Int: [Record]] = [:]
        let names = try fm.contentsOfDirectory(atPath: setDirectory.path)
        for name in names where name.hasSuffix(".csv") {
            guard let id = Int(name.dropLast(4)), id >= 0 else { continue }
            let url = setDirectory.appendingPathComponent(name)
            models[id] = try parseModel(readUTF8(url), prompts: prompts, file: url.path)
        }
        guard !models.isEmpty else {
            throw ReplayLogError(file: setDirectory.path, line: 0, reason: "no model files N.csv next to prompts.csv")
        }
        return ReplayLog(set: setDirectory.lastPathComponent, prompts: prompts, models: models)
    }

    /// Parses every set directory (those holding a `prompts.csv`) under `root`, sorted by name.
    public static func loadAll(root: URL) throws -> [ReplayLog] {
        let fm = FileManager.default
        let sets = try fm.contentsOfDirectory(atPath: root.path).sorted().filter {
            fm.fileExists(atPath: root.appendingPathComponent($0).appendingPathComponent("prompts.csv").path)
        }
        guard !sets.isEmpty else {
            throw ReplayLogError(file: root.path, line: 0, reason: "no prompt set directories (with prompts.csv)")
        }
        return try sets.map { try load(setDirectory: root.appendingPathComponent($0, isDirectory: true)) }
    }

    static func readUTF8(_ url: URL) throws -> String {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ReplayLogError(file: url.path, line: 0, reason: "cannot be read (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ReplayLogError(file: url.path, line: 0, reason: "is not valid UTF-8")
        }
        return text
    }
}

/// A malformed replay file; prints as "FILE:LINE: reason".
public struct ReplayLogError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based physical line, 0 when the problem is the file as a whole.
    public var line: Int
    public var reason: String

    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String {
        line > 0 ? "\(file):\(line): \(reason)" : "\(file): \(reason)"
    }
}

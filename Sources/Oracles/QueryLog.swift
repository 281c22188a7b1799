import Foundation

/// A released query log, whatever its format: every (model, prompt, response) record, by
/// prompt set, with where it came from. Read by `load` (one reader per `LogFormat`); every
/// record the log holds is either here or a `ReplayLogError` naming its file and line, never
/// dropped silently.
public struct QueryLog: Sendable, Equatable {
    /// One logged query.
    public struct Record: Sendable, Equatable {
        /// The prompt set (a MLMAC set directory, a journal run id, or the file's name).
        public var set: String
        /// Public id of the fine-tuned model.
        public var model: Int
        public var prompt: String
        /// What the model wrote after the prompt (its continuation).
        public var response: String
        /// When it was asked, as the log wrote it (nil when the format keeps no time).
        public var time: String?
        /// Fields the format does not know, kept as JSON text by name (JSONL and CSV logs).
        public var extra: [String: String]
        /// Where the record starts: file and 1-based line.
        public var file: String
        public var line: Int

        public init(set: String, model: Int, prompt: String, response: String, time: String? = nil,
                    extra: [String: String] = [:], file: String, line: Int) {
            self.set = set
            self.model = model
            self.prompt = prompt
            self.response = response
            self.time = time
            self.extra = extra
            self.file = file
            self.line = line
        }
    }

    public var records: [Record]
    /// Per set, the prompts the set declares (MLMAC's `prompts.csv`), when the format has them:
    /// a record whose prompt is not among them is unmatched.
    public var declaredPrompts: [String: [String]]

    public init(records: [Record], declaredPrompts: [String: [String]] = [:]) {
        self.records = records
        self.declaredPrompts = declaredPrompts
    }

    /// Set names in order of first appearance.
    public var sets: [String] {
        var seen = Set<String>(), out: [String] = []
        for r in records where seen.insert(r.set).inserted { out.append(r.set) }
        for s in declaredPrompts.keys.sorted() where seen.insert(s).inserted { out.append(s) }
        return out
    }

    /// Model ids present, ascending.
    public var modelIDs: [Int] { Array(Set(records.map(\.model))).sorted() }

    /// Whether `record`'s prompt is one its set declares (true when the set declares none).
    public func isMatched(_ record: Record) -> Bool {
        guard let declared = declaredPrompts[record.set] else { return true }
        return declared.contains(record.prompt)
    }
}

/// The formats `QueryLog.load` reads.
public enum LogFormat: String, CaseIterable, Sendable {
    /// Decide from the path: a directory is `mlmacDir`, `.sqlite` a journal, `.jsonl` JSONL, `.csv` CSV.
    case auto
    /// MLMAC's release layout: a set directory (`prompts.csv` and `N.csv`), or a folder of them.
    case mlmacDir = "mlmac-dir"
    /// attrib's own query journal (SQLite); each run is a set.
    case journal
    /// One JSON object a line: `model`, `prompt`, `response`, optional `time`; other fields kept.
    case jsonl
    /// CSV with a header row (RFC 4180 quoting); columns `model`, `prompt`, `response`, optional `time`.
    case csv

    /// The format of `path` under `auto`.
    public static func detect(path: String) throws -> LogFormat {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReplayLogError(file: path, line: 0, reason: "does not exist")
        }
        if isDirectory.boolValue { return .mlmacDir }
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "sqlite", "db", "sqlite3": return .journal
        case "jsonl", "ndjson": return .jsonl
        case "csv": return .csv
        default:
            throw ReplayLogError(file: path, line: 0,
                                 reason: "cannot tell its format from its name; pass --format mlmac-dir, journal, jsonl or csv")
        }
    }
}

/// Which column (CSV) or field (JSONL) holds each part of a record: `model=fid,prompt=input`.
public struct ColumnMapping: Sendable, Equatable {
    public var model = "model"
    public var prompt = "prompt"
    public var response = "response"
    public var time = "time"

    public init() {}

    /// Parses `part=name` pairs separated by commas; parts are model, prompt, response, time.
    public init(parsing text: String) throws {
        for pair in text.split(separator: ",") {
            let sides = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard sides.count == 2, !sides[1].isEmpty else {
                throw ReplayLogError(file: "--columns", line: 0, reason: "\"\(pair)\" is not part=name")
            }
            switch sides[0] {
            case "model": model = sides[1]
            case "prompt": prompt = sides[1]
            case "response": response = sides[1]
            case "time": time = sides[1]
            default:
                throw ReplayLogError(file: "--columns", line: 0, reason: "\"\(sides[0])\" is not one of model, prompt, response, time")
            }
        }
    }
}

extension QueryLog {
    /// Reads the log at `path` in `format` (`auto`: from the path): the records read, and every
    /// problem found (a record that failed, or a file that could not be read), each naming its
    /// file and line.
    public static func read(path: String, format: LogFormat = .auto, columns: ColumnMapping = ColumnMapping())
        -> (log: QueryLog, problems: [ReplayLogError]) {
        do {
            let resolved = format == .auto ? try LogFormat.detect(path: path) : format
            switch resolved {
            case .auto: preconditionFailure("resolved above")
            case .mlmacDir: return (try mlmacDirectory(path: path), [])
            case .journal: return (try journal(path: path), [])
            case .jsonl: return try jsonl(path: path, columns: columns)
            case .csv: return try csv(path: path, columns: columns)
            }
        } catch let error as ReplayLogError {
            return (QueryLog(records: []), [error])
        } catch {
            return (QueryLog(records: []), [ReplayLogError(file: path, line: 0, reason: "\(error)")])
        }
    }

    /// `read`, refusing a log with any problem (`QueryLogProblems` lists them all).
    public static func load(path: String, format: LogFormat = .auto, columns: ColumnMapping = ColumnMapping()) throws -> QueryLog {
        let (log, problems) = read(path: path, format: format, columns: columns)
        guard problems.isEmpty else { throw QueryLogProblems(problems: problems) }
        return log
    }

    /// The MLMAC release layout: `path` is a set directory or a folder of set directories.
    static func mlmacDirectory(path: String) throws -> QueryLog {
        let url = URL(fileURLWithPath: path, isDirectory: true)
        let isSet = FileManager.default.fileExists(atPath: url.appendingPathComponent("prompts.csv").path)
        let logs = isSet ? [try ReplayLog.load(setDirectory: url)] : try ReplayLog.loadAll(root: url)
        var records: [Record] = []
        var declared: [String: [String]] = [:]
        for log in logs {
            declared[log.set] = log.prompts
            for id in log.modelIDs {
                let file = url.appendingPathComponent(isSet ? "\(id).csv" : "\(log.set)/\(id).csv").path
                for r in log.models[id]! {
                    records.append(Record(set: log.set, model: id, prompt: r.prompt, response: r.continuation, file: file, line: r.line))
                }
            }
        }
        return QueryLog(records: records, declaredPrompts: declared)
    }
}

/// Every problem of a log that was refused; prints one `FILE:LINE: reason` a line (the first 20).
public struct QueryLogProblems: Error, Sendable, CustomStringConvertible {
    public var problems: [ReplayLogError]

    public var description: String {
        let shown = problems.prefix(20).map(\.description)
        let more = problems.count > 20 ? ["... and \(problems.count - 20) more problems"] : []
        return (shown + more).joined(separator: "\n")
    }
}

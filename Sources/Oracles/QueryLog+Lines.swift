import Common
import Foundation

/// The line formats: JSONL and CSV readers, and the JSONL writer (`attrib log export`).
extension QueryLog {
    /// The largest record a line format may hold (bytes): longer lines are refused, not read.
    public static let maximumRecordBytes = 4 << 20

    /// Reads a JSONL log: one object a line with the mapped `model` (an integer, or a string of
    /// digits), `prompt` and `response` (strings) and an optional `time`; other fields are kept.
    /// Blank lines are skipped. Every bad line is a problem naming its line.
    static func jsonl(path: String, columns: ColumnMapping) throws -> (QueryLog, [ReplayLogError]) {
        let data = try readFile(path)
        let set = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        var records: [Record] = [], problems: [ReplayLogError] = []
        var lineNumber = 0
        for raw in data.split(separator: 10, omittingEmptySubsequences: false) {
            lineNumber += 1
            var bytes = raw
            if bytes.last == 13 { bytes = bytes.dropLast() }
            if bytes.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            func fail(_ reason: String) { problems.append(ReplayLogError(file: path, line: lineNumber, reason: reason)) }
            guard bytes.count <= maximumRecordBytes else {
                fail("the line is \(bytes.count) bytes, more than the \(maximumRecordBytes >> 20) MiB a record may have"); continue
            }
            guard String(data: Data(bytes), encoding: .utf8) != nil else { fail("is not valid UTF-8"); continue }
            let object: [String: Any]
            do {
                guard let parsed = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) as? [String: Any] else {
                    fail("is not a JSON object"); continue
                }
                object = ExactJSONStrings.exact(parsed, from: Data(bytes))
            } catch {
                fail("is not valid JSON (truncated?)"); continue
            }
            do {
                records.append(try record(object, set: set, columns: columns, file: path, line: lineNumber))
            } catch let error as ReplayLogError {
                problems.append(error)
            }
        }
        if records.isEmpty && problems.isEmpty { problems.append(ReplayLogError(file: path, line: 0, reason: "holds no records")) }
        return (QueryLog(records: records), problems)
    }

    /// One record from a JSON object or a CSV row (as strings), by the column mapping.
    static func record(_ fields: [String: Any], set: String, columns: ColumnMapping, file: String, line: Int) throws -> Record {
        func field(_ name: String, _ part: String) throws -> Any {
            guard let value = fields[name], !(value is NSNull) else {
                throw ReplayLogError(file: file, line: line, reason: "no \"\(name)\" field for the \(part) (--columns \(part)=NAME names another)")
            }
            return value
        }
        let modelValue = try field(columns.model, "model")
        let model: Int
        if let text = modelValue as? String, let id = Int(text.trimmingCharacters(in: .whitespaces)) {
            model = id
        } else if let number = modelValue as? NSNumber, type(of: modelValue) == NSNumber.self, let id = Int(exactly: number.doubleValue) {
            model = id
        } else {
            let written = (try? JSONSerialization.data(withJSONObject: modelValue, options: [.fragmentsAllowed]))
                .map { String(decoding: $0, as: UTF8.self) } ?? "\(modelValue)"
            throw ReplayLogError(file: file, line: line, reason: "\"\(columns.model)\" is not a whole number: \(written)")
        }
        guard model >= 0 else { throw ReplayLogError(file: file, line: line, reason: "model \(model) is negative") }
        guard let prompt = try field(columns.prompt, "prompt") as? String else {
            throw ReplayLogError(file: file, line: line, reason: "\"\(columns.prompt)\" is not a string")
        }
        guard let response = try field(columns.response, "response") as? String else {
            throw ReplayLogError(file: file, line: line, reason: "\"\(columns.response)\" is not a string")
        }
        let time = fields[columns.time].map { "\($0)" }
        var extra: [String: String] = [:]
        for (key, value) in fields where ![columns.model, columns.prompt, columns.response, columns.time].contains(key) {
            let json = (try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])) ?? Data()
            extra[key] = String(decoding: json, as: UTF8.self)
        }
        return Record(set: set, model: model, prompt: prompt, response: response, time: time, extra: extra, file: file, line: line)
    }

    /// Reads a CSV log: a header row naming the columns, then one record a row (RFC 4180: quoted
    /// fields may hold commas, quotes as "" and line breaks). The mapped model, prompt and
    /// response columns must be in the header.
    static func csv(path: String, columns: ColumnMapping) throws -> (QueryLog, [ReplayLogError]) {
        let data = try readFile(path)
        guard let text = String(data: data, encoding: .utf8) else {
            let line = firstInvalidUTF8Line(data)
            return (QueryLog(records: []), [ReplayLogError(file: path, line: line, reason: "is not valid UTF-8")])
        }
        let set = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        var rows: [(line: Int, fields: [String])] = []
        var problems: [ReplayLogError] = []
        CSVScanner(text).scan(row: { rows.append(($0, $1)) }, problem: { problems.append(ReplayLogError(file: path, line: $0, reason: $1)) })
        guard let header = rows.first else {
            return (QueryLog(records: []), problems + [ReplayLogError(file: path, line: 0, reason: "holds no header row")])
        }
        for (part, name) in [("model", columns.model), ("prompt", columns.prompt), ("response", columns.response)]
        where !header.fields.contains(name) {
            problems.append(ReplayLogError(file: path, line: header.line,
                                           reason: "no column \"\(name)\" for the \(part) in the header (\(header.fields.joined(separator: ", "))); --columns \(part)=NAME maps another"))
        }
        guard problems.isEmpty else { return (QueryLog(records: []), problems) }
        var records: [Record] = []
        for row in rows.dropFirst() {
            guard row.fields.count == header.fields.count else {
                problems.append(ReplayLogError(file: path, line: row.line,
                                               reason: "has \(row.fields.count) fields, the header \(header.fields.count)"))
                continue
            }
            guard row.fields.reduce(0, { $0 + $1.utf8.count }) <= maximumRecordBytes else {
                problems.append(ReplayLogError(file: path, line: row.line, reason: "the record is more than the \(maximumRecordBytes >> 20) MiB a record may have"))
                continue
            }
            let fields = Dictionary(zip(header.fields, row.fields), uniquingKeysWith: { a, _ in a })
            do { records.append(try record(fields, set: set, columns: columns, file: path, line: row.line)) } catch let e as ReplayLogError {
                problems.append(e)
            }
        }
        if records.isEmpty && problems.isEmpty { problems.append(ReplayLogError(file: path, line: 0, reason: "holds no records")) }
        return (QueryLog(records: records), problems)
    }

    static func readFile(_ path: String) throws -> Data {
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ReplayLogError(file: path, line: 0, reason: "cannot be read (\(error.localizedDescription))")
        }
    }

    /// The 1-based line of the first byte sequence that is not UTF-8.
    static func firstInvalidUTF8Line(_ data: Data) -> Int {
        var line = 1
        for raw in data.split(separator: 10, omittingEmptySubsequences: false) {
            if String(data: Data(raw), encoding: .utf8) == nil { return line }
            line += 1
        }
        return 0
    }

    /// The log as JSONL, one record a line in log order: `model`, `prompt`, `response`, `time`
    /// (when known), `set`, and the kept fields.
    public func jsonl() -> String {
        records.map { r in
            var object: [String: Any] = ["model": r.model, "prompt": r.prompt, "response": r.response, "set": r.set]
            if let time = r.time { object["time"] = time }
            for (key, json) in r.extra where object[key] == nil {
                // A string field is read by JSONDecoder, which keeps a leading U+FEFF (see `ExactJSONStrings`).
                object[key] = (try? JSONDecoder().decode(String.self, from: Data(json.utf8)))
                    ?? (try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])) ?? json
            }
            let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self) + "\n"
        }.joined()
    }
}

/// RFC 4180 rows of a CSV text, with the line each row starts on.
struct CSVScanner {
    let bytes: [UInt8]

    init(_ text: String) { bytes = Array(text.utf8) }

    func scan(row: (Int, [String]) -> Void, problem: (Int, String) -> Void) {
        var fields: [String] = [], field: [UInt8] = []
        var i = 0, line = 1, rowLine = 1
        var quoted = false, quoteStart = 0, fieldStarted = false
        func endField() { fields.append(String(decoding: field, as: UTF8.self)); field = []; fieldStarted = false }
        func endRow() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { row(rowLine, fields) }
            fields = []
        }
        while i < bytes.count {
            let b = bytes[i]
            if quoted {
                if b == 34 {
                    if i + 1 < bytes.count && bytes[i + 1] == 34 { field.append(34); i += 2; continue }
                    quoted = false
                } else {
                    if b == 10 { line += 1 }
                    field.append(b)
                }
                i += 1
                continue
            }
            switch b {
            case 34 where !fieldStarted && field.isEmpty:
                quoted = true; quoteStart = line; fieldStarted = true
            case 44: endField()
            case 13 where i + 1 < bytes.count && bytes[i + 1] == 10: break
            case 10:
                endRow(); line += 1; rowLine = line
            default:
                field.append(b); fieldStarted = true
            }
            i += 1
        }
        if quoted {
            problem(quoteStart, "a quoted field opened here is never closed (the file is truncated?)")
            return
        }
        if !field.isEmpty || !fields.isEmpty { endRow() }
    }
}

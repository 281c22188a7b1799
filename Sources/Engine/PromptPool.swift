import Common
import Foundation

/// Candidate prompts with ids and costs.
///
/// File formats (chosen by content):
/// - **lines**: one prompt per line, exactly as written (trailing spaces kept); blank lines
///   are skipped; ids are the line numbers; every cost is 1. A prompt with a newline needs JSONL.
/// - **JSONL**: one JSON object per line, `{"prompt": "...", "id": "...", "cost": 1.5}`;
///   `id` (default: the line number) and `cost` (default 1, must be > 0) are optional.
///   Chosen when the first non-blank line starts with `{`.
public struct PromptPool: Equatable, Sendable {
    public var ids: [String]
    public var prompts: [String]
    public var costs: [Double]

    public init(ids: [String], prompts: [String], costs: [Double]) {
        precondition(ids.count == prompts.count && costs.count == prompts.count, "one id and cost per prompt")
        self.ids = ids
        self.prompts = prompts
        self.costs = costs
    }

    /// A pool of prompts with line-number ids and unit costs.
    public init(prompts: [String]) {
        self.init(ids: prompts.indices.map { String($0 + 1) }, prompts: prompts, costs: prompts.map { _ in 1 })
    }

    public var count: Int { prompts.count }

    /// The pool of prompts `indices` (in that order), with their ids and costs.
    public func subset(_ indices: [Int]) -> PromptPool {
        PromptPool(ids: indices.map { ids[$0] }, prompts: indices.map { prompts[$0] }, costs: indices.map { costs[$0] })
    }

    /// Reads a pool file.
    public static func load(path: String) throws(PromptPoolError) -> PromptPool {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(file: path, reason: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .unreadable(file: path, reason: "not UTF-8 text") }
        return try parse(text, file: path)
    }

    /// Parses pool text; `file` names it in errors.
    /// The longest prompt a pool may hold, in UTF-8 bytes: far past any use (the prompt's
    /// tokens count toward the API's length limit), and a line of megabytes is refused at once
    /// instead of being tokenized for minutes.
    public static let maximumPromptBytes = 4096

    public static func parse(_ text: String, file: String) throws(PromptPoolError) -> PromptPool {
        // Split on LF bytes (a String split would treat CRLF as one character), then drop a CR.
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { bytes in
            String(decoding: bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes[...], as: UTF8.self)
        }
        let jsonl = lines.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }?.hasPrefix("{") ?? false
        var ids = [String](), prompts = [String](), costs = [Double](), seen = [String: Int]()
        for (k, line) in lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let number = k + 1
            var id = String(number), prompt = line, cost = 1.0
            if jsonl {
                guard let parsed = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
                    throw .malformed(file: file, line: number, field: nil, reason: "not a JSON object")
                }
                let object = ExactJSONStrings.exact(parsed, from: Data(line.utf8))
                guard let p = object["prompt"] as? String else {
                    throw .malformed(file: file, line: number, field: "prompt", reason: "missing or not a string")
                }
                prompt = p
                if let rawID = object["id"] {
                    if let s = rawID as? String { id = s } else if let n = rawID as? NSNumber { id = n.stringValue } else {
                        throw .malformed(file: file, line: number, field: "id", reason: "must be a string or a number")
                    }
                }
                if let rawCost = object["cost"] {
                    guard let c = (rawCost as? NSNumber)?.doubleValue, c > 0, c.isFinite else {
                        throw .malformed(file: file, line: number, field: "cost", reason: "must be a positive number")
                    }
                    cost = c
                }
            }
            if prompt.isEmpty { throw .malformed(file: file, line: number, field: jsonl ? "prompt" : nil, reason: "is empty (give text to continue)") }
            if prompt.utf8.contains(0) { throw .malformed(file: file, line: number, field: jsonl ? "prompt" : nil, reason: "holds a NUL byte") }
            if prompt.utf8.count > Self.maximumPromptBytes {
                throw .malformed(file: file, line: number, field: jsonl ? "prompt" : nil, reason:
                    "is \(prompt.utf8.count) bytes, over the limit of \(Self.maximumPromptBytes) (a prompt's tokens count toward the API's length limit, 20 tokens under MLMAC's rule)")
            }
            if let first = seen[id] { throw .duplicateID(file: file, line: number, id: id, firstLine: first) }
            seen[id] = number
            ids.append(id); prompts.append(prompt); costs.append(cost)
        }
        guard !prompts.isEmpty else { throw .empty(file: file) }
        return PromptPool(ids: ids, prompts: prompts, costs: costs)
    }

    /// The pool as JSONL text (the lossless format).
    public func jsonl() -> String {
        var out = ""
        for k in prompts.indices {
            let object: [String: Any] = ["id": ids[k], "prompt": prompts[k], "cost": costs[k]]
            let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            out += String(decoding: data, as: UTF8.self) + "\n"
        }
        return out
    }
}

/// A prompt-pool file that cannot be used, naming the file, line and field.
public enum PromptPoolError: Error, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case malformed(file: String, line: Int, field: String?, reason: String)
    case duplicateID(file: String, line: Int, id: String, firstLine: Int)
    case empty(file: String)

    public var description: String {
        switch self {
        case .unreadable(let f, let r): return "cannot read the prompt pool \(f): \(r)"
        case .malformed(let f, let l, let field, let r):
            return "\(f):\(l): " + (field.map { "field \"\($0)\" " } ?? "") + r
        case .duplicateID(let f, let l, let id, let first): return "\(f):\(l): prompt id \"\(id)\" already used on line \(first)"
        case .empty(let f): return "the prompt pool \(f) holds no prompt"
        }
    }
}

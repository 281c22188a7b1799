import Common
import Engine
import Foundation
import Oracles
import Simulation
import Workflow

/// `attrib zoo log`: a query log of a built zoo, as a contestant would have collected it: each
/// fine-tune asked `queries` random pool prompts through the simulator over HTTP, written in a
/// log format with the zoo's answer key (`answer-key.csv`, MLMAC's format).
public struct ZooLog: Sendable {
    public enum Format: String, CaseIterable, Sendable {
        /// MLMAC's layout: one prompt list for every model (`prompts.csv`), a file `N.csv` per model.
        /// Prompts holding a line feed cannot be written in it and are left out of the sampling.
        case mlmacDir = "mlmac-dir"
        /// One record a line; each model gets its own shuffle of the pool.
        case jsonl
    }

    public var zooDirectory: URL
    public var pool: PromptPool
    /// Queries per fine-tune.
    public var queries: Int
    /// Seeds the choice of prompts and the simulator's sampling of answers.
    public var seed: UInt64
    public var format: Format

    public init(zooDirectory: URL, pool: PromptPool, queries: Int, seed: UInt64, format: Format) {
        self.zooDirectory = zooDirectory
        self.pool = pool
        self.queries = queries
        self.seed = seed
        self.format = format
    }

    /// `count` prompts of `prompts`: a seeded shuffle, cycled when more are asked than there are.
    static func sample(_ prompts: [String], count: Int, generator: SeededGenerator) -> [String] {
        var rng = generator
        var order: [String] = []
        while order.count < count { order += prompts.shuffled(using: &rng) }
        return Array(order.prefix(count))
    }

    /// Asks, then writes the log and the key into `out` (through a temporary sibling renamed
    /// into place, so `out` is never half-written). Returns the log.
    public func write(to out: URL, events: @escaping @Sendable (JobEvent) -> Void = { _ in }) async throws -> QueryLog {
        let manifest = try ZooManifest.load(directory: zooDirectory)
        let usable = format == .mlmacDir ? pool.prompts.filter { !$0.contains("\n") && !$0.isEmpty } : pool.prompts
        guard !usable.isEmpty else {
            throw AttribError.invalid(file: "(pool)", field: "prompts", reason: "no prompt can be written as \(format.rawValue)")
        }
        let root = SeededGenerator(seed: seed)
        let ids = manifest.fineTunes.map(\.id)
        let shared = Self.sample(usable, count: queries, generator: root.derived("zoo-log"))
        let plan = Dictionary(uniqueKeysWithValues: ids.map { id in
            (id, format == .mlmacDir ? shared : Self.sample(usable, count: queries, generator: root.derived("zoo-log-\(id)")))
        })
        let set = "zoo-\(manifest.name)"
        // Every model asked at once, each its plan in order (one query in flight per model).
        let byModel = try await OracleSource.simulatedZoo(manifest: manifest, directory: zooDirectory, responseSeed: seed)
            .using(concurrency: min(8, ids.count)) { opened in
                events(.step("asking \(opened.description): \(queries) queries to each of \(ids.count) fine-tunes"))
                return try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
                    for id in ids {
                        group.addTask {
                            var answers: [String] = []
                            for prompt in plan[id]! { answers.append(try await opened.oracle.ask(model: id, prompt: prompt).continuation) }
                            return (id, answers)
                        }
                    }
                    var byModel: [Int: [String]] = [:]
                    for try await (id, answers) in group { byModel[id] = answers }
                    return byModel
                }
            }
        var records: [QueryLog.Record] = []
        for id in ids {
            for (k, (prompt, answer)) in zip(plan[id]!, byModel[id]!).enumerated() {
                records.append(QueryLog.Record(set: set, model: id, prompt: prompt, response: answer, file: out.path, line: k + 1))
            }
        }
        let log = QueryLog(records: records, declaredPrompts: format == .mlmacDir ? [set: shared] : [:])
        let key = AnswerKey(truth: manifest.truth,
                            names: Dictionary(uniqueKeysWithValues: manifest.fineTunes.map { ($0.id, $0.model.name) }), file: "answer-key.csv")

        let fm = FileManager.default
        let staging = out.deletingLastPathComponent().appendingPathComponent(".\(out.lastPathComponent).partial")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        switch format {
        case .jsonl:
            try Data(log.jsonl().utf8).write(to: staging.appendingPathComponent("log.jsonl"))
        case .mlmacDir:
            let dir = staging.appendingPathComponent(set)
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data((shared.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("prompts.csv"))
            for id in ids {
                let text = zip(shared, byModel[id]!).map { $0 + $1 + "\n" }.joined()
                try Data(text.utf8).write(to: dir.appendingPathComponent("\(id).csv"))
            }
        }
        try Data(key.csv().utf8).write(to: staging.appendingPathComponent("answer-key.csv"))
        try? fm.removeItem(at: out)
        guard rename(staging.path, out.path) == 0 else {
            throw AttribError.unusable(path: out.path, reason: "could not be replaced (\(String(cString: strerror(errno))))")
        }
        events(.step("wrote \(records.count) queries and the answer key into \(out.path)"))
        return log
    }
}

import Foundation
import GRDB

extension QueryJournal {
    /// Starts run `runID`, remembering the server's counts now (from `GET /status`) as its
    /// baseline. Returns false when the run already exists (a resume): its baseline stays.
    /// `baseline` nil: the source keeps no counts (stored as JSON `null`; the summary then
    /// says "unknown" rather than comparing with zero).
    @discardableResult
    public func beginRun(_ runID: String, baseline: [Int: Int]?) throws(JournalError) -> Bool {
        try run("begin a run") { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM runs WHERE run_id = ?", arguments: [runID]) != nil {
                return false
            }
            try db.execute(sql: "INSERT INTO runs (run_id, started_at, baseline) VALUES (?, ?, ?)",
                           arguments: [runID, Date().timeIntervalSince1970, baseline.map(Self.encode) ?? "null"])
            return true
        }
    }

    /// Records counts the server reported (`source`: "status" or "query").
    public func recordServerCounts(_ counts: [Int: Int], runID: String, source: String = "status") throws(JournalError) {
        try run("record server counts") { db in
            let now = Date().timeIntervalSince1970
            for (model, count) in counts {
                try Self.insertCount(db, runID: runID, source: source, model: model, count: count, at: now)
            }
        }
    }

    /// The highest count the server ever reported per model, over all runs (the server's
    /// counts only grow).
    public func latestServerCounts() throws(JournalError) -> [Int: Int] {
        try run("read server counts") { db in try Self.latestCounts(db) }
    }

    /// Compares `statusCounts` (a fresh `GET /status`) with the last counts seen, for the
    /// pending entries of `runID`, records what it finds (`lostAttempts`) and the counts.
    /// Every pending entry is still to be re-sent: its answer is needed and not stored.
    public func reconcile(runID: String, statusCounts: [Int: Int]) throws(JournalError) -> [Reconciliation] {
        try run("reconcile with server counts") { db in
            let previous = try Self.latestCounts(db)
            let pending = try Row.fetchAll(
                db, sql: "SELECT * FROM queries WHERE run_id = ? AND state = 'intended' ORDER BY model, seq",
                arguments: [runID]).map(Self.entry(from:))
            var findings: [Reconciliation] = []
            var explained = Set<Int>()
            for entry in pending where !explained.contains(entry.key.model) {
                let model = entry.key.model
                explained.insert(model)
                guard let before = previous[model] ?? entry.serverCountBefore else {
                    findings.append(Reconciliation(model: model, key: entry.key, finding: .unknown))
                    continue
                }
                let delta = statusCounts[model, default: 0] - before
                if delta < 0 {
                    findings.append(Reconciliation(model: model, key: entry.key, finding: .countWentBack(from: before, to: before + delta)))
                    continue
                }
                guard delta > 0 else {
                    findings.append(Reconciliation(model: model, key: entry.key, finding: .notCounted))
                    continue
                }
                // With one query in flight per model, the growth belongs to the first pending one.
                try db.execute(sql: "UPDATE queries SET lost_attempts = lost_attempts + ? WHERE run_id = ? AND model = ? AND seq = ?",
                               arguments: [delta, runID, model, entry.key.sequence])
                findings.append(Reconciliation(model: model, key: entry.key, finding: .countedWithoutAnswer(delta)))
            }
            for (model, count) in statusCounts.sorted(by: { $0.key < $1.key }) where !explained.contains(model) {
                if let before = previous[model], count > before {
                    findings.append(Reconciliation(model: model, key: nil, finding: .unexplainedCount(count - before)))
                } else if let before = previous[model], count < before {
                    findings.append(Reconciliation(model: model, key: nil, finding: .countWentBack(from: before, to: count)))
                }
            }
            let now = Date().timeIntervalSince1970
            for (model, count) in statusCounts {
                try Self.insertCount(db, runID: runID, source: "status", model: model, count: count, at: now)
            }
            return findings
        }
    }

    /// Answered, sent and server-counted queries of run `runID`, per model.
    public func summary(runID: String) throws(JournalError) -> JournalSummary {
        try run("summarise a run") { db in
            let baselineText = try String.fetchOne(db, sql: "SELECT baseline FROM runs WHERE run_id = ?", arguments: [runID])
            let baseline = baselineText.flatMap(Self.decode)
            let entries = try Row.fetchAll(db, sql: "SELECT * FROM queries WHERE run_id = ?", arguments: [runID])
                .map(Self.entry(from:))
            var latest: [Int: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT model, MAX(count) AS c FROM server_counts WHERE run_id = ? GROUP BY model",
                                        arguments: [runID]) {
                latest[row["model"]] = row["c"]
            }
            var tallies: [Int: JournalSummary.ModelTally] = [:]
            for model in Set(entries.map(\.key.model)).union(latest.keys) {
                let mine = entries.filter { $0.key.model == model }
                let counted = baseline.map { (latest[model] ?? $0[model, default: 0]) - $0[model, default: 0] }
                tallies[model] = .init(answered: mine.filter { $0.state == .completed }.count,
                                       requestsSent: mine.reduce(0) { $0 + $1.attempts + $1.lostAttempts },
                                       lostAttempts: mine.reduce(0) { $0 + $1.lostAttempts },
                                       serverCounted: counted)
            }
            return JournalSummary(runID: runID, perModel: tallies,
                                  pending: entries.filter { $0.state == .intended }.count)
        }
    }

    static func latestCounts(_ db: Database) throws -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT model, MAX(count) AS c FROM server_counts GROUP BY model") {
            counts[row["model"]] = row["c"]
        }
        return counts
    }

    static func encode(_ counts: [Int: Int]) -> String {
        let wire = Dictionary(uniqueKeysWithValues: counts.map { (String($0.key), $0.value) })
        let data = (try? JSONEncoder().encode(wire)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func decode(_ text: String) -> [Int: Int]? {
        guard let wire = try? JSONDecoder().decode([String: Int].self, from: Data(text.utf8)) else { return nil }
        return Dictionary(uniqueKeysWithValues: wire.compactMap { key, value in Int(key).map { ($0, value) } })
    }
}

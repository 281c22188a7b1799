import Foundation
import GRDB

/// The journal of paid queries: a SQLite file (WAL, `synchronous = FULL`) that records each
/// query as intended before it is sent and completes it with its answer before the answer
/// is used, so a crash never costs a query twice.
///
/// Protocol for one query (see `JournaledOracle` in `Oracles`):
/// 1. `entry(for:)`: a completed entry is replayed, nothing is sent.
/// 2. `recordIntent(_:serverCountBefore:)` (durable before the request leaves).
/// 3. send; on failure `recordAttempts(_:_:)`; on success `recordCompletion(_:response:)`.
///
/// After a restart, `reconcile(runID:statusCounts:)` compares intended-but-unanswered
/// entries with the server's counts from `GET /status`. The journal also keeps every
/// server-reported count, so `summary(runID:)` puts "answered" beside "server counted".
/// One journal per API token: counts are compared across all its runs.
public actor QueryJournal {
    /// The SQLite file.
    public nonisolated let path: String
    let pool: DatabasePool

    /// Opens (creating if needed) the journal at `path`.
    public init(path: String) throws(JournalError) {
        self.path = path
        if let reason = SQLiteOwnership.refusal(path: path, id: SQLiteOwnership.journal, tables: ["runs", "queries", "server_counts"]) {
            throw .open(path: path, reason: reason)
        }
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
            try SQLiteOwnership.mark(pool, id: SQLiteOwnership.journal)
        } catch {
            throw .open(path: path, reason: "\(error)")
        }
    }

    /// The entry stored under `key`'s (run, model, sequence), if any.
    /// - Throws: `JournalError.divergence` when it holds another prompt.
    public func entry(for key: QueryKey) throws(JournalError) -> JournalEntry? {
        try run("read an entry") { db in try Self.fetchEntry(db, key) }
    }

    /// Records that `key` is about to be sent (durably, before it is). Idempotent: an
    /// existing intended entry gets `sends + 1`; a completed one is returned unchanged.
    /// - Parameter serverCountBefore: the server's count for this model now, if known.
    @discardableResult
    public func recordIntent(_ key: QueryKey, serverCountBefore: Int?) throws(JournalError) -> JournalEntry {
        try run("record an intent") { db in
            if let existing = try Self.fetchEntry(db, key) {
                guard existing.state == .intended else { return existing }
                try db.execute(sql: "UPDATE queries SET sends = sends + 1 WHERE run_id = ? AND model = ? AND seq = ?",
                               arguments: [key.runID, key.model, key.sequence])
            } else {
                try db.execute(sql: """
                    INSERT INTO queries (run_id, model, seq, prompt, state, intended_at, server_count_before)
                    VALUES (?, ?, ?, ?, 'intended', ?, ?)
                    """, arguments: [key.runID, key.model, key.sequence, Self.exact(key.prompt),
                                     Date().timeIntervalSince1970, serverCountBefore])
            }
            return try Self.fetchEntry(db, key)!
        }
    }

    /// Adds `attempts` requests that may have reached the server in a send that failed.
    public func recordAttempts(_ key: QueryKey, _ attempts: Int) throws(JournalError) {
        try run("record failed attempts") { db in
            try db.execute(sql: "UPDATE queries SET attempts = attempts + ? WHERE run_id = ? AND model = ? AND seq = ?",
                           arguments: [attempts, key.runID, key.model, key.sequence])
            if db.changesCount == 0 { throw JournalError.unknownKey(key) }
        }
    }

    /// Stores the answer of an intended query (durably, before it is used). Completing a
    /// completed entry again is a no-op: the first answer stands.
    public func recordCompletion(_ key: QueryKey, response: JournalResponse) throws(JournalError) {
        try run("record a completion") { db in
            guard let existing = try Self.fetchEntry(db, key) else { throw JournalError.unknownKey(key) }
            guard existing.state == .intended else { return }
            let now = Date().timeIntervalSince1970
            try db.execute(sql: """
                UPDATE queries SET state = 'completed', completed_at = ?, generated_text = ?,
                  continuation = ?, prompt_echoed = ?, server_count_after = ?, attempts = attempts + ?
                WHERE run_id = ? AND model = ? AND seq = ?
                """, arguments: [now, Self.exact(response.generatedText), Self.exact(response.continuation), response.promptEchoed,
                                 response.serverCountAfter, response.attempts, key.runID, key.model, key.sequence])
            if let count = response.serverCountAfter {
                try Self.insertCount(db, runID: key.runID, source: "query", model: key.model, count: count, at: now)
            }
        }
    }

    /// Entries of run `runID` still waiting for an answer, by model then sequence.
    public func pendingEntries(runID: String) throws(JournalError) -> [JournalEntry] {
        try entries(runID: runID).filter { $0.state == .intended }
    }

    /// All entries of run `runID`, by model then sequence.
    public func entries(runID: String) throws(JournalError) -> [JournalEntry] {
        try run("list entries") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM queries WHERE run_id = ? ORDER BY model, seq",
                             arguments: [runID]).map(Self.entry(from:))
        }
    }

    /// Every entry of the journal file at `path`, read-only, by run (in the order the runs
    /// began), then model, then sequence: what a replay of the journal reads.
    public static func allEntries(path: String) throws(JournalError) -> [(runID: String, entries: [JournalEntry])] {
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            return try queue.read { db in
                let runs = try String.fetchAll(db, sql: "SELECT run_id FROM runs ORDER BY started_at, run_id")
                return try runs.map { run in
                    (run, try Row.fetchAll(db, sql: "SELECT * FROM queries WHERE run_id = ? ORDER BY model, seq",
                                           arguments: [run]).map(Self.entry(from:)))
                }
            }
        } catch {
            throw .open(path: path, reason: "\(error)")
        }
    }

    /// Runs `body` in one write transaction, mapping database errors to `JournalError`.
    func run<T>(_ operation: String, _ body: (Database) throws -> T) throws(JournalError) -> T {
        do { return try pool.write(body) } catch let error as JournalError {
            throw error
        } catch {
            throw .database(path: path, operation: operation, reason: "\(error)")
        }
    }

    static func fetchEntry(_ db: Database, _ key: QueryKey) throws -> JournalEntry? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM queries WHERE run_id = ? AND model = ? AND seq = ?",
                                         arguments: [key.runID, key.model, key.sequence]) else { return nil }
        let entry = entry(from: row)
        guard entry.key.prompt == key.prompt else {
            throw JournalError.divergence(key: key, journaledPrompt: entry.key.prompt)
        }
        return entry
    }

    /// Texts are stored as their UTF-8 bytes (a BLOB): SQLite's text accessors stop at a NUL
    /// character, and API answers at temperature 3 do contain NULs; a replay must be exact.
    static func exact(_ text: String) -> Data { Data(text.utf8) }

    /// A text column written by `exact` (or as plain text by an older journal).
    static func text(_ row: Row, _ column: String) -> String? {
        switch row[column] as DatabaseValue {
        case let value where value.isNull: return nil
        default:
            if let data = row[column] as Data? { return String(decoding: data, as: UTF8.self) }
            return row[column] as String?
        }
    }

    static func entry(from row: Row) -> JournalEntry {
        let key = QueryKey(runID: row["run_id"], model: row["model"], sequence: row["seq"], prompt: text(row, "prompt") ?? "")
        let state = JournalEntry.State(rawValue: row["state"]) ?? .intended
        var response: JournalResponse?
        if state == .completed {
            response = JournalResponse(generatedText: text(row, "generated_text") ?? "", continuation: text(row, "continuation") ?? "",
                                       promptEchoed: row["prompt_echoed"] ?? false,
                                       serverCountAfter: row["server_count_after"], attempts: row["attempts"])
        }
        let completed: Double? = row["completed_at"]
        return JournalEntry(key: key, state: state, intendedAt: Date(timeIntervalSince1970: row["intended_at"]),
                            completedAt: completed.map(Date.init(timeIntervalSince1970:)), response: response,
                            serverCountBefore: row["server_count_before"], sends: row["sends"],
                            attempts: row["attempts"], lostAttempts: row["lost_attempts"])
    }

    static func insertCount(_ db: Database, runID: String, source: String, model: Int, count: Int, at time: Double) throws {
        try db.execute(sql: "INSERT INTO server_counts (run_id, observed_at, source, model, count) VALUES (?, ?, ?, ?, ?)",
                       arguments: [runID, time, source, model, count])
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("query-journal-v1") { db in
            try db.execute(sql: """
                CREATE TABLE runs (run_id TEXT PRIMARY KEY, started_at REAL NOT NULL, baseline TEXT NOT NULL);
                CREATE TABLE queries (
                  run_id TEXT NOT NULL, model INTEGER NOT NULL, seq INTEGER NOT NULL, prompt TEXT NOT NULL,
                  state TEXT NOT NULL CHECK (state IN ('intended', 'completed')),
                  intended_at REAL NOT NULL, completed_at REAL,
                  server_count_before INTEGER, server_count_after INTEGER,
                  sends INTEGER NOT NULL DEFAULT 1, attempts INTEGER NOT NULL DEFAULT 0,
                  lost_attempts INTEGER NOT NULL DEFAULT 0,
                  generated_text TEXT, continuation TEXT, prompt_echoed INTEGER,
                  PRIMARY KEY (run_id, model, seq));
                CREATE TABLE server_counts (
                  id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, observed_at REAL NOT NULL,
                  source TEXT NOT NULL CHECK (source IN ('query', 'status')),
                  model INTEGER NOT NULL, count INTEGER NOT NULL);
                CREATE INDEX server_counts_by_model ON server_counts (model, count);
                """)
        }
        return migrator
    }
}

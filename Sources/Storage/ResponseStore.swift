import Foundation
import GRDB

/// One cached cross-score tensor: `states x samples x states` single-precision
/// log-likelihoods (natural log), row-major as in `AttributionCore.CrossScoreTensor`.
public struct StoredTensor: Equatable, Sendable {
    public var states: Int
    public var samples: Int
    public var values: [Float]

    public init(states: Int, samples: Int, values: [Float]) {
        self.states = states
        self.samples = samples
        self.values = values
    }
}

/// The response-distribution store: cross-score tensors of candidate prompts, keyed by a
/// fingerprint of everything they depend on (every hypothesis's model, the prompt, the
/// decoding settings, the observation model, the sample count and seed). A changed model
/// changes the fingerprint, so stale rows are never read; nothing is computed twice.
///
/// Each tensor is written in its own transaction as soon as it is computed, so a crashed
/// precompute resumes where it stopped. Safe to use from several threads (WAL, a pool).
public final class ResponseStore: Sendable {
    public let path: String
    let pool: DatabasePool

    /// Opens (creating if needed) the store at `path`.
    public init(path: String) throws(ResponseStoreError) {
        self.path = path
        if let reason = SQLiteOwnership.refusal(path: path, id: SQLiteOwnership.store, tables: ["tensors"]) {
            throw .open(path: path, reason: reason)
        }
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(30)
            pool = try DatabasePool(path: path, configuration: configuration)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("response-store-v1") { db in
                try db.execute(sql: """
                    CREATE TABLE tensors (
                        fingerprint TEXT PRIMARY KEY NOT NULL,
                        prompt TEXT NOT NULL,
                        states INTEGER NOT NULL,
                        samples INTEGER NOT NULL,
                        data BLOB NOT NULL,
                        created_at REAL NOT NULL)
                    """)
            }
            try migrator.migrate(pool)
            try SQLiteOwnership.mark(pool, id: SQLiteOwnership.store)
        } catch {
            throw .open(path: path, reason: "\(error)")
        }
    }

    /// The tensor stored under `fingerprint`, or nil.
    public func tensor(fingerprint: String) throws(ResponseStoreError) -> StoredTensor? {
        do {
            return try pool.read { db -> StoredTensor? in
                guard let row = try Row.fetchOne(db, sql: "SELECT states, samples, data FROM tensors WHERE fingerprint = ?",
                                                 arguments: [fingerprint]) else { return nil }
                let states: Int = row["states"], samples: Int = row["samples"]
                let data: Data = row["data"]
                let count = states * samples * states
                guard data.count == count * MemoryLayout<Float>.size else {
                    throw ResponseStoreError.corrupt(path: path, fingerprint: fingerprint,
                                                     reason: "\(data.count) bytes for a \(states) x \(samples) x \(states) tensor")
                }
                let values = data.withUnsafeBytes { raw in (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) } }
                return StoredTensor(states: states, samples: samples, values: values)
            }
        } catch let e as ResponseStoreError {
            throw e
        } catch {
            throw .query(path: path, reason: "\(error)")
        }
    }

    /// Stores `tensor` under `fingerprint` (replacing any row with the same fingerprint).
    public func put(fingerprint: String, prompt: String, tensor: StoredTensor) throws(ResponseStoreError) {
        var data = Data(capacity: tensor.values.count * 4)
        for v in tensor.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        do {
            try pool.write { db in
                try db.execute(sql: """
                    INSERT OR REPLACE INTO tensors (fingerprint, prompt, states, samples, data, created_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [fingerprint, prompt, tensor.states, tensor.samples, data, Date().timeIntervalSince1970])
            }
        } catch {
            throw .query(path: path, reason: "\(error)")
        }
    }

    /// Number of stored tensors.
    public func count() throws(ResponseStoreError) -> Int {
        do { return try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tensors") ?? 0 } }
        catch { throw .query(path: path, reason: "\(error)") }
    }
}

/// A failure of the response-distribution store, naming the file.
public enum ResponseStoreError: Error, Equatable, CustomStringConvertible {
    case open(path: String, reason: String)
    case query(path: String, reason: String)
    case corrupt(path: String, fingerprint: String, reason: String)

    public var description: String {
        switch self {
        case .open(let p, let r): return "cannot open the response store \(p): \(r)"
        case .query(let p, let r): return "the response store \(p) failed: \(r)"
        case .corrupt(let p, let f, let r): return "the response store \(p) holds a corrupt tensor \(f): \(r)"
        }
    }
}

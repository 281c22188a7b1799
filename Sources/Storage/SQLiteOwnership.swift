import Foundation
import GRDB

/// Which SQLite files are attrib's: each kind sets its own `PRAGMA application_id`, and a file
/// is opened only when it is new, carries that id, or (written before ids were set) holds only
/// that kind's tables. Anything else is refused untouched: attrib never adds its tables to
/// another program's database.
enum SQLiteOwnership {
    /// The query journal's application id ("attJ").
    static let journal: Int32 = 0x6174_744A
    /// The response-distribution store's application id ("attS").
    static let store: Int32 = 0x6174_7453

    /// nil when `path` may be opened as the kind `id` with `tables`; else why not.
    static func refusal(path: String, id: Int32, tables: Set<String>) -> String? {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0 else { return nil }
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(30)
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            return try queue.read { db -> String? in
                let found = try Int32(Int.fetchOne(db, sql: "PRAGMA application_id") ?? 0)
                if found == id { return nil }
                let names = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
                if found == 0 && names.subtracting(tables.union(["grdb_migrations"])).isEmpty { return nil }
                let kind = found == journal ? "an attrib query journal" : found == store ? "an attrib response store"
                    : "another program's database (tables \(names.sorted().prefix(5).joined(separator: ", ")))"
                return "is \(kind), not this kind of attrib file; it was left untouched"
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            // In use by another connection right now: the open that follows waits its turn.
            return nil
        } catch {
            return "is not an SQLite database attrib can read (\(error)); it was left untouched"
        }
    }

    /// Marks a freshly opened or migrated file as the kind `id`.
    static func mark(_ writer: some DatabaseWriter, id: Int32) throws {
        try writer.write { db in try db.execute(sql: "PRAGMA application_id = \(id)") }
    }
}

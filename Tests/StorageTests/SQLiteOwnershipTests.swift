import Foundation
import GRDB
import Testing
@testable import Storage

/// A journal or store file is recognised by its own application id; a foreign SQLite file,
/// or the other kind of attrib file, is refused untouched; a file written before ids were set
/// is still opened.
struct SQLiteOwnershipTests {
    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("attrib-ownership-\(UUID().uuidString)-\(name)").path
    }

    static func tables(_ path: String) throws -> [String] {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: path, configuration: configuration).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
    }

    @Test func aForeignDatabaseIsRefusedUntouched() throws {
        let path = Self.temporary("users.sqlite")
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)") }
        let before = try Self.tables(path)
        #expect { try QueryJournal(path: path) } throws: { "\($0)".contains("another program's database (tables users)") }
        #expect { try ResponseStore(path: path) } throws: { "\($0)".contains("left untouched") }
        #expect(try Self.tables(path) == before)
    }

    @Test func eachKindOpensItsOwnAndRefusesTheOther() throws {
        let journal = Self.temporary("journal.sqlite"), store = Self.temporary("store.sqlite")
        _ = try QueryJournal(path: journal)
        _ = try ResponseStore(path: store)
        _ = try QueryJournal(path: journal)  // reopened
        #expect { try ResponseStore(path: journal) } throws: { "\($0)".contains("is an attrib query journal") }
        #expect { try QueryJournal(path: store) } throws: { "\($0)".contains("is an attrib response store") }
        let id = try DatabaseQueue(path: journal).read { db in try Int.fetchOne(db, sql: "PRAGMA application_id") }
        #expect(id == Int(SQLiteOwnership.journal))
    }

    @Test func aJournalWrittenBeforeIdsWereSetStillOpens() throws {
        let path = Self.temporary("old-journal.sqlite")
        _ = try QueryJournal(path: path)
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "PRAGMA application_id = 0") }
        _ = try QueryJournal(path: path)
        #expect(try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "PRAGMA application_id") } == Int(SQLiteOwnership.journal))
    }
}

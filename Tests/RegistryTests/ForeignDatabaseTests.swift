import Foundation
import GRDB
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryStore

/// A registry path that names another application's SQLite file is refused, and the file is
/// left exactly as it was: no table added, no `grdb_migrations`, its journal mode kept
/// (issue 21, item 3). Only a new or empty file, or a registry, is ever written.
@Suite struct ForeignDatabaseTests {
    /// Another application's database: a table of its own and rows in it, in `journalMode`.
    static func makeForeignDatabase(_ path: String, journalMode: String, tables: [String] = ["notes"]) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = \(journalMode)")
            for table in tables {
                try db.execute(sql: "CREATE TABLE \(table) (id INTEGER PRIMARY KEY, body TEXT)")
                try db.execute(sql: "INSERT INTO \(table) (body) VALUES ('keep me'), ('and me')")
            }
        }
        try queue.close()
    }

    /// The database's bytes: the file, its write-ahead log (absent and empty alike) and its
    /// rollback journal. Not `-shm`: SQLite's shared-memory index, which any reader of a WAL
    /// database creates, read-only ones included; it holds no data.
    static func snapshot(_ path: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for suffix in ["", "-wal", "-journal"] {
            if let data = FileManager.default.contents(atPath: path + suffix), !data.isEmpty { files[suffix] = data }
        }
        return files
    }

    static func inspect(_ path: String) throws -> (tables: [String], journalMode: String?) {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            (try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
             try String.fetchOne(db, sql: "PRAGMA journal_mode"))
        }
    }

    @Test(arguments: ["wal", "delete"])
    func anotherApplicationsDatabaseIsRefusedUntouched(journalMode: String) throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path + "/app.db"
            try Self.makeForeignDatabase(path, journalMode: journalMode)
            let before = try Self.snapshot(path)
            for readOnly in [false, true] {
                let error = #expect(throws: StoreError.self) { _ = try ModelRegistry(path: path, readOnly: readOnly) }
                guard case .notARegistry(let reported, let tables)? = error else {
                    Issue.record("expected notARegistry (readOnly: \(readOnly)), got \(String(describing: error))")
                    continue
                }
                #expect(reported == path && tables == ["notes"])
                #expect(error?.code == "not_a_registry")
                #expect(error?.description.contains("is not a registry") == true && error?.description.contains("nothing was changed") == true)
            }
            #expect(try Self.snapshot(path) == before, "the other application's database changed")
            let after = try Self.inspect(path)
            #expect(after.tables == ["notes"], "tables now: \(after.tables)")
            #expect(after.journalMode == journalMode)
        }
    }

    /// A database that happens to have a table a registry also has (`models`) is refused before
    /// any migration runs, so no `grdb_migrations` is left behind in it.
    @Test func aDatabaseWithATableOfTheSameNameGetsNoMigrationTable() throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path + "/app.db"
            try Self.makeForeignDatabase(path, journalMode: "delete", tables: ["models"])
            let before = try Self.snapshot(path)
            #expect(throws: StoreError.self) { _ = try ModelRegistry(path: path) }
            #expect(try Self.inspect(path).tables == ["models"])
            #expect(try Self.snapshot(path) == before)
        }
    }

    /// Another GRDB application has a `grdb_migrations` table too, without our identifiers.
    @Test func anotherGRDBApplicationIsRefused() throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path + "/app.db"
            let queue = try DatabaseQueue(path: path)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in try db.execute(sql: "CREATE TABLE items (id INTEGER PRIMARY KEY)") }
            try migrator.migrate(queue)
            try queue.close()
            let before = try Self.snapshot(path)
            let error = #expect(throws: StoreError.self) { _ = try ModelRegistry(path: path) }
            #expect(error?.code == "not_a_registry")
            #expect(try Self.snapshot(path) == before)
        }
    }

    /// An empty file (what `touch` leaves) and an empty SQLite database become registries.
    @Test func emptyFilesBecomeRegistries() throws {
        try withTemporaryDirectory { tmp in
            let touched = tmp.path + "/touched.db"
            #expect(FileManager.default.createFile(atPath: touched, contents: Data()))
            let empty = tmp.path + "/empty.db"
            try DatabaseQueue(path: empty).writeWithoutTransaction { db in try db.execute(sql: "PRAGMA user_version = 0") }
            for path in [touched, empty] {
                let registry = try ModelRegistry(path: path)
                #expect(try registry.push(savedModel: Fixtures.path("seed_mlp_training"), model: "m").version == 1)
                #expect(try MigrationTests.appliedMigrations(path) == EmbeddedMigrations.all.map(\.identifier))
            }
        }
    }

    /// A writer killed inside a transaction leaves a hot journal, which only a connection that
    /// may write can roll back: the read-only probe must not turn that into "cannot be
    /// written" (the crash tests' SIGKILLed pushes found this).
    @Test func aRegistryWithAHotJournalOpensRolledBack() throws {
        try withRegistry { registry, tmp in
            _ = try registry.push(savedModel: Fixtures.path("seed_mlp_training"), model: "m")
            let path = registry.path
            // A writer that spills a large transaction into the file, then dies without committing.
            let script = """
            import os, sqlite3, sys
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute("PRAGMA cache_size = 16")
            c.execute("BEGIN IMMEDIATE")
            c.execute("UPDATE models SET name = 'changed'")
            c.execute("CREATE TABLE junk (x BLOB)")
            c.execute("INSERT INTO junk SELECT randomblob(65536) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 64) SELECT i FROM n)")
            os._exit(0)
            """
            let killed = try runProcess("/usr/bin/python3", ["-c", script, path])
            #expect(killed.status == 0, "\(killed)")
            #expect(fileSize(path + "-journal") > 0, "no hot journal was left")
            let reopened = try ModelRegistry(path: path)
            #expect(try reopened.list().map(\.model) == ["m"])
            #expect(try Self.inspect(path).tables.contains("junk") == false)
        }
    }
}

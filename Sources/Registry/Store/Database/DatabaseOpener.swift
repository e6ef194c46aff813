import RegistryFormat
import Foundation
import GRDB
import SystemPackage

/// Opens the registry's SQLite file (rollback journal, foreign keys, a busy timeout) and brings
/// its schema up to date with the migrations embedded in this binary.
enum DatabaseOpener {
    static func open(path: String, readOnly: Bool = false, busyTimeout: TimeInterval = 30) throws -> DatabaseQueue {
        // Several processes may create a new registry at the same moment. Each migration is its
        // own transaction, so another process can apply one between our check and our write
        // ("table models already exists"), change the schema under our first read ("no such
        // table: grdb_migrations"), or hold the lock that turning a new file into WAL needs
        // (SQLite then says "database is locked" at once, without waiting). Such a collision is
        // brief: open again, a few times, unless the attempt already waited out the busy timeout.
        if !readOnly {
            FileSystem.removeAbandoned(in: FileSystem.parentFolder(of: path), prefix: stagingPrefix(path))
            if access(path, F_OK) != 0 { createStaged(path: path) }
        }
        var attempt = 1
        while true {
            let started = Date()
            do {
                return try openOnce(path: path, readOnly: readOnly, busyTimeout: busyTimeout)
            } catch {
                let databaseError = (error as? QueueOpenFailure)?.error ?? error as? DatabaseError
                if let databaseError, !readOnly, attempt < 10, Date().timeIntervalSince(started) < busyTimeout,
                   [.SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_ERROR, .SQLITE_SCHEMA].contains(databaseError.resultCode) {
                    attempt += 1
                    usleep(UInt32.random(in: 5_000...30_000))
                    continue
                }
                if let failure = error as? QueueOpenFailure {
                    throw StoreError.unusable(path: path, detail: failure.error.message ?? "\(failure.error)")
                }
                throw error
            }
        }
    }

    /// Settings chosen by measurement (the figures are in the README): 32 KiB pages (SQLite
    /// writes a page per call: a 1 MiB chunk is 32 writes, not 64 with 16 KiB pages, which made
    /// a 1 GiB push ~5 % slower; 64 KiB pages stored 1.9 % more and made an empty registry 3 MB,
    /// 40 tables and indexes of one page each, against 1.5 MB) and a rollback journal. A push only appends
    /// pages, which a rollback journal does not copy, so every byte is written once; WAL writes
    /// it twice (log, then checkpoint). Readers still read while a push runs and wait only
    /// while it commits (or spills its cache), within the busy timeout. `synchronous = FULL`
    /// is the safe setting for a rollback journal. A registry made by an older binary in WAL
    /// mode is switched over when no other process has it open, and keeps WAL otherwise.
    static func tune(_ db: Database) throws {
        try db.execute(sql: "PRAGMA page_size = 32768")  // takes effect on a new file (and at VACUUM)
        try db.execute(sql: "PRAGMA synchronous = FULL")
    }

    /// Builds a new registry beside `path` and links it into place complete. Seven migrations
    /// in the file itself cost ~32 fsyncs (20 ms, the whole of a small push); a file that
    /// appears only once complete needs no journal while it is built, and one fsync. `link`
    /// fails when another process created the registry first, and then its file is kept. Any
    /// failure here leaves the ordinary path (which migrates in place) to do the work.
    private static func createStaged(path: String) {
        let staged = FileSystem.parentFolder(of: path) + "/" + stagingPrefix(path) + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(staged) }
        do {
            var configuration = Configuration()
            configuration.label = "registry (new)"
            configuration.prepareDatabase { db in
                try tune(db)
                try db.execute(sql: "PRAGMA journal_mode = OFF")
                try db.execute(sql: "PRAGMA synchronous = OFF")
            }
            let queue = try DatabaseQueue(path: staged, configuration: configuration)
            try migrator.migrate(queue)
            try queue.close()
            let file = try FileDescriptor.open(FilePath(staged), .readOnly, options: [.closeOnExec])
            let synced = fsync(file.rawValue) == 0
            try file.close()
            guard synced, link(staged, path) == 0 else { return }
            try? FileSystem.syncFolder(FileSystem.parentFolder(of: path))
        } catch {
            return
        }
    }

    /// A new registry is built as `NAME.new-HOST-PID-RANDOM` beside `NAME`; what a killed
    /// process left under that name is removed when the registry is next opened for writing.
    private static func stagingPrefix(_ path: String) -> String {
        PathLocation(path).name + ".new-\(FileSystem.host)-"
    }

    /// Leaves WAL for the rollback journal (see `tune`); run once the file is known to be ours.
    private static func leaveWAL(_ queue: DatabaseQueue) {
        try? queue.writeWithoutTransaction { db in
            if try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal" {
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
            }
        }
    }

    /// An error of `DatabaseQueue(path:configuration:)` itself.
    private struct QueueOpenFailure: Error {
        var error: DatabaseError
    }

    private static func openOnce(path: String, readOnly: Bool, busyTimeout: TimeInterval) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(busyTimeout)
        configuration.readonly = readOnly
        configuration.label = "registry"
        configuration.prepareDatabase { db in
            if !readOnly { try tune(db) }
            // Statement journals and sorts in memory: a push's chunk inserts otherwise wrote a
            // 32 KiB statement-journal page each to a temporary file (8 MiB for 256 MiB pushed).
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch let error as DatabaseError {
            throw QueueOpenFailure(error: error)
        }
        let migrator = Self.migrator
        let known = Set(migrator.migrations)
        let applied = try queue.read { db in try migrator.appliedIdentifiers(db) }
        let unknown = applied.subtracting(known)
        if !unknown.isEmpty {
            throw StoreError.newerSchema(path: path, unknown: unknown.sorted())
        }
        if !readOnly {
            leaveWAL(queue)
            try migrator.migrate(queue)
        } else if applied.count < known.count {
            throw StoreError.unusable(path: path, detail: "the schema needs an upgrade, which a read-only registry cannot do")
        }
        return queue
    }

    /// The embedded SQL migrations in order; a migration that needs Swift (re-encoding rows)
    /// runs its step after its SQL, in the same transaction.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        let steps: [String: @Sendable (Database) throws -> Void] = [TensorEntryMigration.identifier: TensorEntryMigration.run]
        for migration in EmbeddedMigrations.all {
            migrator.registerMigration(migration.identifier) { db in
                try db.execute(sql: migration.sql)
                try steps[migration.identifier]?(db)
            }
        }
        return migrator
    }
}

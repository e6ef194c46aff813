import Foundation
import GRDB

/// Opens the registry's SQLite file (WAL mode, foreign keys, a busy timeout) and brings its
/// schema up to date with the migrations embedded in this binary.
enum RegistryDatabase {
    static func open(path: String, readOnly: Bool = false, busyTimeout: TimeInterval = 30) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(busyTimeout)
        configuration.readonly = readOnly
        configuration.label = "registry"
        configuration.prepareDatabase { db in
            if !readOnly {
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
        }
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch let error as DatabaseError {
            throw StoreError.unusable(path: path, detail: error.message ?? "\(error)")
        }
        let migrator = Self.migrator
        let known = Set(migrator.migrations)
        let applied = try queue.read { db in try migrator.appliedIdentifiers(db) }
        let unknown = applied.subtracting(known)
        if !unknown.isEmpty {
            throw StoreError.newerSchema(path: path, unknown: unknown.sorted())
        }
        if !readOnly {
            // Several processes may open a new registry at once. Each migration is its own
            // transaction, so another process can apply one between our check and our write
            // ("table models already exists"): when a failed attempt finds more migrations
            // applied than before it, try again; otherwise the failure is real.
            var before = applied
            while true {
                do {
                    try migrator.migrate(queue)
                    break
                } catch {
                    let now = try queue.read { db in try migrator.appliedIdentifiers(db) }
                    guard now.isStrictSuperset(of: before) else { throw error }
                    before = now
                }
            }
        } else if applied.count < known.count {
            throw StoreError.unusable(path: path, detail: "the schema needs an upgrade, which a read-only registry cannot do")
        }
        return queue
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in EmbeddedMigrations.all {
            migrator.registerMigration(migration.identifier) { db in
                try db.execute(sql: migration.sql)
            }
        }
        return migrator
    }
}

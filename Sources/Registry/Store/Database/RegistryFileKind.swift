import Foundation
import GRDB
import RegistryFormat

/// What an existing SQLite file at the registry's path is, found through a read-only
/// connection before anything is written to it: nothing there yet, a registry, or another
/// application's database, which a registry must leave exactly as it is.
enum RegistryFileKind: Equatable {
    /// No file, an empty one, or a database without tables: a registry may be made in it.
    case empty
    /// A registry: its `grdb_migrations` table lists our first migration.
    case registry
    /// Tables of something else (listed, at most a few), and no registry schema.
    case foreign(tables: [String])

    /// Reads `path` without writing to it (a read-only connection changes neither the file nor
    /// its journal mode). One exception: a hot journal, left by a writer killed in a
    /// transaction, can only be rolled back by a connection that may write, so unless `readOnly`
    /// the probe reads again through one; the rollback restores what was committed, as SQLite
    /// does for any reader that may write.
    static func probe(path: String, busyTimeout: TimeInterval, readOnly: Bool) throws -> RegistryFileKind {
        guard let size = FileSystem.size(of: path), size > 0 else { return .empty }
        do {
            return try read(path: path, busyTimeout: busyTimeout, writable: false)
        } catch {
            let failure = (error as? DatabaseOpener.QueueOpenFailure)?.error ?? error as? DatabaseError
            guard !readOnly, failure?.resultCode == .SQLITE_READONLY else { throw error }
            return try read(path: path, busyTimeout: busyTimeout, writable: true)
        }
    }

    private static func read(path: String, busyTimeout: TimeInterval, writable: Bool) throws -> RegistryFileKind {
        var configuration = Configuration()
        configuration.readonly = !writable
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "registry (probe)"
        let queue = try DatabaseOpener.queueOpening(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            let tables = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name
                """)
            let others = tables.filter { $0 != "grdb_migrations" }
            let applied = tables.contains("grdb_migrations")
                ? try String.fetchSet(db, sql: "SELECT identifier FROM grdb_migrations") : []
            if applied.contains(firstMigration) { return .registry }
            if others.isEmpty && applied.isEmpty { return .empty }
            return .foreign(tables: Array(tables.prefix(5)))
        }
    }

    /// The identifier every registry's schema starts with.
    static let firstMigration = EmbeddedMigrations.all[0].identifier
}

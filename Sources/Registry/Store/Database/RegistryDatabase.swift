import RegistryFormat
import Foundation
import GRDB

/// The registry's SQLite file, opened: the one owner of the connection. Callers ask for the
/// property they need (a read, a write, an all-or-nothing transaction) and get a
/// `StoreSession`, whose methods are every SQL statement of the registry; SQLite's own errors
/// come back as `StoreError`s in words.
package final class RegistryDatabase {
    package let path: String
    let queue: DatabaseQueue

    /// Opens (creating on first use, unless `readOnly`) the database at `path`. A write waits up
    /// to `busyTimeout` seconds for another process's write to finish.
    package init(path: String, readOnly: Bool = false, busyTimeout: TimeInterval = 30) throws {
        self.path = path
        if FileSystem.isSymbolicLink(path) {
            throw StoreError.unsafePath(path: path, reason: "the registry file is a symbolic link; point --registry at the real file")
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) && !readOnly {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw StoreError.unusable(path: path, detail: "cannot create \(folder): \(error.localizedDescription)")
            }
        }
        do {
            queue = try DatabaseOpener.open(path: path, readOnly: readOnly, busyTimeout: busyTimeout)
        } catch {
            throw StoreError.translating(error, path: path)
        }
    }

    /// A consistent read: the session sees one snapshot of the registry.
    package func read<T>(_ body: (StoreSession) throws -> T) throws -> T {
        do { return try queue.read { try body(StoreSession(db: $0)) } } catch { throw StoreError.translating(error, path: path) }
    }

    /// A write in one transaction that takes the write lock at its first write.
    package func write<T>(_ body: (StoreSession) throws -> T) throws -> T {
        do { return try queue.write { try body(StoreSession(db: $0)) } } catch { throw StoreError.translating(error, path: path) }
    }

    /// All of `body` commits, or none: one IMMEDIATE transaction, which takes the write lock
    /// before the first read, so that the numbers it reads (the next version) stay true.
    package func transaction<T>(_ body: (StoreSession) throws -> T) throws -> T {
        do {
            return try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(StoreSession(db: db))
                    return .commit
                }
                return result!
            }
        } catch {
            throw StoreError.translating(error, path: path)
        }
    }

    /// Outside any transaction: for the statements SQLite refuses inside one (VACUUM).
    func withoutTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.writeWithoutTransaction(body) } catch { throw StoreError.translating(error, path: path) }
    }

    /// Size of the database file plus its journals.
    package var fileBytes: Int64 {
        [path, path + "-wal", path + "-journal"].reduce(Int64(0)) { $0 + (FileSystem.size(of: $1) ?? 0) }
    }
}

/// One turn at the database inside `RegistryDatabase.read`, `write` or `transaction`. Its methods,
/// one file per table under `Tables/`, hold every SQL statement of the registry; the layers
/// above never see SQL or GRDB.
package struct StoreSession {
    let db: Database
}

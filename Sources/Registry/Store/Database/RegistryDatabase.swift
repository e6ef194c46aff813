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
    /// Whether this opening created the file (a new, empty registry).
    package let created: Bool

    /// Opens the database at `path`. With `create`, a missing file (and missing folders above
    /// it) is created; without it, or `readOnly`, a missing file is `StoreError.noRegistry`
    /// and nothing is created, not even a folder. A write waits up to `busyTimeout` seconds
    /// for another process's write to finish.
    package init(path: String, readOnly: Bool = false, create: Bool = true, busyTimeout: TimeInterval = 30) throws {
        self.path = path
        if path.isEmpty { throw StoreError.unsafePath(path: path, reason: "an empty path names no registry file") }
        if path.hasSuffix("/") {
            throw StoreError.unsafePath(path: path, reason: "a path ending in '/' names a folder; point --registry at a file, e.g. \(path)registry.db")
        }
        var info = stat()
        let exists = lstat(path, &info) == 0
        if exists, info.st_mode & S_IFMT == S_IFLNK {
            throw StoreError.unsafePath(path: path, reason: "the registry file is a symbolic link; point --registry at the real file")
        }
        if exists, info.st_mode & S_IFMT == S_IFDIR {
            throw StoreError.unsafePath(path: path, reason: "a folder, not a registry file; point --registry at the file (e.g. \(path)/registry.db)")
        }
        guard exists || (create && !readOnly) else { throw StoreError.noRegistry(path: path) }
        created = !exists
        if !exists {
            do {
                _ = try FileSystem.createFolders(FileSystem.parentFolder(of: path))
            } catch {
                throw StoreError.unusable(path: path, detail: "cannot create its folder: \(error)")
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
        [path, path + "-wal", path + "-journal"].reduce(Int64(0)) { total, file in
            var info = stat()
            return total + (stat(file, &info) == 0 ? Int64(info.st_size) : 0)
        }
    }
}

/// One turn at the database inside `RegistryDatabase.read`, `write` or `transaction`. Its methods,
/// one file per table under `Tables/`, hold every SQL statement of the registry; the layers
/// above never see SQL or GRDB.
package struct StoreSession {
    let db: Database
}

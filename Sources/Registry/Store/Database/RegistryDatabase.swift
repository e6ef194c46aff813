import RegistryFormat
import Foundation
import GRDB

/// The registry's SQLite file, opened: the one owner of the connection. Callers ask for the
/// property they need (a read, a write, an all-or-nothing transaction) and get a
/// `StoreSession`, whose methods are every SQL statement of the registry; SQLite's own errors
/// come back as `StoreError`s in words.
package final class RegistryDatabase {
    package let path: String
    /// The connection; `compact` opens it again on the file it put in place.
    private(set) var queue: DatabaseQueue
    let readOnly: Bool
    let busyTimeout: TimeInterval

    /// Opens (creating on first use, unless `readOnly`) the database at `path`. A write waits up
    /// to `busyTimeout` seconds for another process's write to finish.
    package init(path: String, readOnly: Bool = false, busyTimeout: TimeInterval = 30) throws {
        self.path = path
        self.readOnly = readOnly
        self.busyTimeout = busyTimeout
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
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

    /// Opens the connection again, on whatever file is at `path` now.
    func reopen() throws {
        try queue.close()
        do {
            queue = try DatabaseOpener.open(path: path, readOnly: readOnly, busyTimeout: busyTimeout)
        } catch {
            throw StoreError.translating(error, path: path)
        }
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

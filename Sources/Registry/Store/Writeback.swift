import Foundation
import GRDB
import GRDBSQLite

/// Starts writing a database file's dirty pages to disk while a push goes on. A push of a
/// 1 GiB model left ~0.9 GiB in the page cache for the commit's fsync, 0.27 s of waiting at the
/// end; started every few MiB, the writeback overlaps the hashing and compression instead.
final class Writeback {
    /// How many stored bytes between two starts.
    static let interval = 16 << 20

    private let descriptor: Int32
    private var pending = 0

    /// Finds SQLite's own descriptor for the main database file of `db`; nil for an in-memory
    /// or temporary database, or where descriptors cannot be listed. SQLite's is borrowed, never
    /// closed: opening and closing another descriptor of the file would drop every POSIX lock
    /// this process holds on it, SQLite's locks included.
    init?(database db: Database) {
        guard let name = sqlite3_db_filename(db.sqliteConnection, "main"), name.pointee != 0 else { return nil }
        var target = stat()
        guard stat(name, &target) == 0, let listing = opendir("/proc/self/fd") else { return nil }
        defer { closedir(listing) }
        var found: Int32?
        while found == nil, let entry = readdir(listing) {
            let fdName = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let fd = Int32(fdName), fd != dirfd(listing) else { continue }
            var info = stat()
            if fstat(fd, &info) == 0, info.st_dev == target.st_dev, info.st_ino == target.st_ino { found = fd }
        }
        guard let found else { return nil }
        descriptor = found
    }

    /// Counts `bytes` written; past `interval`, starts their writeback (on a background
    /// thread). Failures are ignored: the commit's fsync is what makes the bytes durable, this
    /// only makes it shorter. The descriptor is SQLite's and stays open with the connection.
    func wrote(_ bytes: Int) {
        pending += bytes
        guard pending >= Self.interval else { return }
        pending = 0
        StartedWriteback.start(descriptor)
    }
}

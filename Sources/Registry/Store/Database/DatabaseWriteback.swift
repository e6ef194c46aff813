import RegistryFormat
import Foundation
import GRDB
import GRDBSQLite

extension WritebackTrigger {
    /// The trigger for a database file, on SQLite's own descriptor for the main database of
    /// `db`; nil for an in-memory or temporary database, or where descriptors cannot be listed.
    /// A push of a 1 GiB model left ~0.9 GiB in the page cache for the commit's fsync, 0.27 s of
    /// waiting at the end; started every few MiB, the writeback overlaps the hashing and
    /// compression instead. SQLite's descriptor is borrowed, never closed: opening and closing
    /// another descriptor of the file would drop every POSIX lock this process holds on it,
    /// SQLite's locks included. Failures to start are ignored: the commit's fsync is what makes
    /// the bytes durable, this only makes it shorter.
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
        self.init(descriptor: found)
    }
}

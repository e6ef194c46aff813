import RegistryFormat
import Foundation
import GRDB
import GRDBSQLite

extension WritebackTrigger {
    /// The trigger for a database file, on SQLite's own descriptor for the main database of
    /// `db`; nil for an in-memory or temporary database, or where descriptors cannot be listed.
    /// A push of a 1 GiB model left ~0.9 GiB in the page cache for the commit's fsync, 0.27 s of
    /// waiting at the end, and with its writeback started every 16 MiB a 256 MiB push still
    /// waited 0.19 s there for the disk's cache flush; flushed every 16 MiB, the flushes
    /// overlap the hashing and compression instead. Flushing pages of an open transaction is
    /// safe: SQLite syncs the rollback journal before it overwrites a page of the database,
    /// and pages past its old end are cut off by a rollback. SQLite's descriptor is borrowed
    /// (see `init(openFile:)`). Failures are ignored: the commit's fsync is what makes the
    /// bytes durable, this only makes it shorter.
    init?(database db: Database) {
        guard let name = sqlite3_db_filename(db.sqliteConnection, "main"), name.pointee != 0 else { return nil }
        self.init(openFile: String(cString: name))
    }
}

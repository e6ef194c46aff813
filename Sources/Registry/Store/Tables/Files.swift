import RegistryFormat
import GRDB

/// The `files` table: a version's other files and folders.
extension StoreSession {
    package func insertFile(_ file: FileRecord) throws {
        try file.insert(db)
    }

    /// A version's files and folders by path.
    package func files(versionID: Int64) throws -> [FileRecord] {
        try FileRecord.filter(Column("version_id") == versionID).order(Column("path")).fetchAll(db)
    }
}

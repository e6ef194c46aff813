import Foundation
import GRDB
import RegistryFormat

/// The `tensors` table: one row per bundle entry of a version.
extension StoreSession {
    /// Records one tensor (its entry's bytes and the columns derived from them).
    package func insertTensor(_ entry: BundleEntry, versionID: Int64, contentID: Int64?) throws {
        var record = TensorRecord(versionID: versionID, entry: entry, contentID: contentID)
        try record.insert(db)
    }

    /// A version's tensors, in the order given (`id` is insertion order, the index's own order
    /// for imports).
    package func tensors(versionID: Int64) throws -> [TensorRecord] {
        try TensorRecord.filter(Column("version_id") == versionID).order(Column("id")).fetchAll(db)
    }

    /// The content of the tensor stored under `key` in a version: the base a delta of the
    /// same tensor in a child version is stored against.
    package func tensorContent(versionID: Int64?, key: [UInt8]) throws -> Int64? {
        guard let versionID else { return nil }
        return try Int64.fetchOne(db, sql: "SELECT content_id FROM tensors WHERE version_id = ? AND key = ?", arguments: [versionID, Data(key)])
    }

    /// The tensor of a version stored under `key`, else the one whose display name is `name`
    /// (a slice key or a key that is not UTF-8, as `show` prints it); nil if neither is there.
    package func tensor(versionID: Int64, key: [UInt8], orName name: String? = nil) throws -> TensorRecord? {
        if let row = try TensorRecord.filter(Column("version_id") == versionID && Column("key") == Data(key)).fetchOne(db) {
            return row
        }
        guard let name else { return nil }
        return try TensorRecord.filter(Column("version_id") == versionID && Column("name") == name).fetchOne(db)
    }
}

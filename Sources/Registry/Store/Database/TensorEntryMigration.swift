import Foundation
import GRDB
import RegistryFormat

/// The Swift step of `0008_tensor_entries`: each tensor row of an earlier registry gets its
/// index entry as bytes, encoded from the columns exactly as the exporter encoded it before
/// (so that an export stays byte-identical), then the replaced columns are dropped.
enum TensorEntryMigration {
    static let identifier = "0008_tensor_entries"

    static func run(_ db: Database) throws {
        let columns = try db.columns(in: "tensors").map(\.name)
        guard columns.contains("slices") else { return }
        let update = try db.makeStatement(sql: "UPDATE tensors SET entry = ? WHERE id = ?")
        let rows = try Row.fetchCursor(db, sql: """
            SELECT id, key, dtype, shape, shard_id, offset, size, crc32c, slices, extra FROM tensors WHERE entry IS NULL
            """)
        while let row = try rows.next() {
            let key = [UInt8](row["key"] as Data)
            let slices = try (row["slices"] as Data?).map {
                try Tensorflow_BundleEntryProto(serializedBytes: $0).slices.map(TensorSlice.init(proto:))
            } ?? []
            let entry = BundleEntry(
                key: key, dtype: DType(rawValue: row["dtype"]), shape: Shape.parse(row["shape"]) ?? [], shardID: row["shard_id"],
                offset: row["offset"], size: row["size"], maskedCRC32C: UInt32(truncatingIfNeeded: row["crc32c"] as Int64),
                slices: slices, unknownFields: row["extra"] ?? Data())
            try update.execute(arguments: [Data(entry.encodedValue), row["id"] as Int64])
        }
        try db.execute(sql: "ALTER TABLE tensors DROP COLUMN slices")
        try db.execute(sql: "ALTER TABLE tensors DROP COLUMN extra")
    }
}

import Foundation
import GRDB
import RegistryFormat

/// A tensor of a version's bundle: its index entry (`BundleEntryProto`) kept as the bytes of
/// the entry, as meta graphs keep theirs, plus where its bytes are. The columns beside the
/// entry (name, dtype, shape, shard, offset, size, crc32c) are derived from it when the row is
/// made, for queries and listings; the entry alone is what an export writes back.
package struct TensorRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    package static let databaseTableName = "tensors"
    package var id: Int64?
    package var versionID: Int64
    package var key: Data
    /// The serialized `BundleEntryProto`, as in the `.index` file.
    package private(set) var entry: Data
    package private(set) var name: String
    package private(set) var dtype: DType
    /// JSON array (`[28,64]`), see `Shape`.
    package private(set) var shape: String
    package private(set) var shardID: Int32
    package private(set) var offset: Int64
    package private(set) var size: Int64
    /// The masked crc32c, as stored in the index.
    package private(set) var crc32c: Int64
    package var contentID: Int64?

    enum CodingKeys: String, CodingKey {
        case id, key, entry, name, dtype, shape, offset, size, crc32c
        case versionID = "version_id", shardID = "shard_id", contentID = "content_id"
    }

    package mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    package init(versionID: Int64, entry: BundleEntry, contentID: Int64?) {
        self.versionID = versionID
        key = Data(entry.key)
        self.entry = Data(entry.encodedValue)
        name = entry.displayName
        dtype = entry.dtype
        shape = Shape.json(entry.shape)
        shardID = entry.shardID
        offset = entry.offset
        size = entry.size
        crc32c = Int64(entry.maskedCRC32C)
        self.contentID = contentID
    }

    /// The bundle entry this row holds, decoded from its bytes.
    package func bundleEntry() throws(FormatError) -> BundleEntry {
        try BundleEntry(key: [UInt8](key), encodedValue: [UInt8](entry), file: "stored tensor \(name)")
    }

    /// Whether the columns listings and queries read (dtype, shard, offset, size, crc32c) still
    /// say what `entry` says; they are derived from it when the row is made, so a difference is
    /// damage (a tampered size of 2^62 made `ls` list 8 EiB while `verify` said intact).
    package func columnsAgree(with entry: BundleEntry) -> Bool {
        dtype == entry.dtype && shardID == entry.shardID && offset == entry.offset && size == entry.size
            && crc32c == Int64(entry.maskedCRC32C)
    }

    /// The shape from its column.
    package var dimensions: [Int64] { Shape.parse(shape) ?? [] }
}

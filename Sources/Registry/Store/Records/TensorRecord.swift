import Foundation
import GRDB

/// A tensor of a version's bundle: the `BundleEntryProto` fields, plus where its bytes are.
struct TensorRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    static let databaseTableName = "tensors"
    var id: Int64?
    var versionID: Int64
    var key: Data
    var name: String
    var dtype: Int32
    var shape: String
    var shardID: Int32
    var offset: Int64
    var size: Int64
    var crc32c: Int64
    var slices: Data?
    var extra: Data?
    var contentID: Int64?

    enum CodingKeys: String, CodingKey {
        case id, key, name, dtype, shape, offset, size, crc32c, slices, extra
        case versionID = "version_id", shardID = "shard_id", contentID = "content_id"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    init(versionID: Int64, entry: BundleEntry, contentID: Int64?) {
        self.versionID = versionID
        key = Data(entry.key)
        name = entry.displayName
        dtype = entry.dtype.rawValue
        shape = Shape.json(entry.shape)
        shardID = entry.shardID
        offset = entry.offset
        size = entry.size
        crc32c = Int64(entry.maskedCRC32C)
        slices = entry.slices.isEmpty ? nil : (try? Tensorflow_BundleEntryProto.with { $0.slices = entry.slices.map(\.proto) }.serializedData())
        extra = entry.unknownFields.isEmpty ? nil : entry.unknownFields
        self.contentID = contentID
    }

    /// The content of the tensor stored under `key` in a version (the base of a delta).
    static func contentID(versionID: Int64?, key: [UInt8], db: Database) throws -> Int64? {
        guard let versionID else { return nil }
        return try Int64.fetchOne(db, sql: "SELECT content_id FROM tensors WHERE version_id = ? AND key = ?", arguments: [versionID, Data(key)])
    }

    /// The bundle entry this row mirrors; shapes and slices come back from their encodings.
    func entry() throws -> BundleEntry {
        let sliceList = try slices.map { try Tensorflow_BundleEntryProto(serializedBytes: $0).slices.map(TensorSlice.init(proto:)) } ?? []
        return BundleEntry(key: [UInt8](key), dtype: DType(rawValue: dtype), shape: Shape.parse(shape) ?? [], shardID: shardID,
                           offset: offset, size: size, maskedCRC32C: UInt32(truncatingIfNeeded: crc32c), slices: sliceList,
                           unknownFields: extra ?? Data())
    }
}

/// A file or folder of a version other than the graph and the bundle.
struct FileRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "files"
    var versionID: Int64
    var path: String
    var isFolder: Bool
    var size: Int64
    var contentID: Int64?

    enum CodingKeys: String, CodingKey {
        case path, size
        case versionID = "version_id", isFolder = "is_folder", contentID = "content_id"
    }
}

/// Shapes as short JSON arrays in the database (`[28,64]`, `[]` for scalars).
enum Shape {
    static func json(_ dims: [Int64]) -> String { "[" + dims.map(String.init).joined(separator: ",") + "]" }

    static func parse(_ text: String) -> [Int64]? {
        guard text.hasPrefix("["), text.hasSuffix("]") else { return nil }
        let inner = text.dropFirst().dropLast()
        if inner.isEmpty { return [] }
        var dims: [Int64] = []
        for part in inner.split(separator: ",") {
            guard let value = Int64(part.trimmingCharacters(in: .whitespaces)) else { return nil }
            dims.append(value)
        }
        return dims
    }
}

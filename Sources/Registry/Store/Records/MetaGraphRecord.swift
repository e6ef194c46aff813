import GRDB

/// One MetaGraphDef of a version, keyed by its canonical tag set; its bytes are a content.
struct MetaGraphRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    static let databaseTableName = "meta_graphs"
    var id: Int64?
    var versionID: Int64
    var position: Int64
    var tagSet: String
    var contentID: Int64

    enum CodingKeys: String, CodingKey {
        case id, position
        case versionID = "version_id", tagSet = "tag_set", contentID = "content_id"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A signature of a MetaGraphDef (`serving_default`, …) with its method name.
struct SignatureRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    static let databaseTableName = "signatures"
    var id: Int64?
    var metaGraphID: Int64
    var key: String
    var method: String

    enum CodingKeys: String, CodingKey { case id, key, method, metaGraphID = "meta_graph_id" }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// An input or output of a signature: its key, graph tensor, dtype and shape.
struct SignatureTensorRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "signature_tensors"
    var signatureID: Int64
    var direction: String
    var key: String
    var tensorName: String
    var dtype: String
    /// JSON array with -1 for unknown dimensions; nil for unknown rank.
    var shape: String?

    enum CodingKeys: String, CodingKey {
        case direction, key, dtype, shape
        case signatureID = "signature_id", tensorName = "tensor_name"
    }
}

/// A collection of a MetaGraphDef: its key, kind and number of items.
struct CollectionRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "collections"
    var metaGraphID: Int64
    var key: String
    var kind: String
    var size: Int64

    enum CodingKeys: String, CodingKey { case key, kind, size, metaGraphID = "meta_graph_id" }
}

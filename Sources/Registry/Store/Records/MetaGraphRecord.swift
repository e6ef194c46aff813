import RegistryFormat
import GRDB

/// One MetaGraphDef of a version, keyed by its canonical tag set; its bytes are a content,
/// kept as read, since TensorFlow's map order cannot be reproduced by re-serializing.
package struct MetaGraphRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    package static let databaseTableName = "meta_graphs"
    package var id: Int64?
    package var versionID: Int64
    package var position: Int64
    package var tagSet: TagSet
    package var contentID: Int64

    enum CodingKeys: String, CodingKey {
        case id, position
        case versionID = "version_id", tagSet = "tag_set", contentID = "content_id"
    }

    package init(versionID: Int64, position: Int64, tagSet: TagSet, contentID: Int64) {
        self.versionID = versionID
        self.position = position
        self.tagSet = tagSet
        self.contentID = contentID
    }

    package mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

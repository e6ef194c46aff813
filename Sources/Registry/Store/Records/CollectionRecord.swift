import RegistryFormat
import GRDB

/// A collection of a MetaGraphDef: its key, kind and number of items (`show` lists them).
package struct CollectionRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    package static let databaseTableName = "collections"
    package var metaGraphID: Int64
    package var key: String
    package var kind: String
    package var size: Int64

    enum CodingKeys: String, CodingKey { case key, kind, size, metaGraphID = "meta_graph_id" }

    package init(metaGraphID: Int64, key: String, kind: String, size: Int64) {
        self.metaGraphID = metaGraphID
        self.key = key
        self.kind = kind
        self.size = size
    }
}

import RegistryFormat
import GRDB

/// A signature of a MetaGraphDef (`serving_default`, …) with its method name: what
/// `ls --signature` finds and `show` prints.
package struct SignatureRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    package static let databaseTableName = "signatures"
    package var id: Int64?
    package var metaGraphID: Int64
    package var key: String
    package var method: String

    enum CodingKeys: String, CodingKey { case id, key, method, metaGraphID = "meta_graph_id" }

    package init(metaGraphID: Int64, key: String, method: String) {
        self.metaGraphID = metaGraphID
        self.key = key
        self.method = method
    }

    package mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

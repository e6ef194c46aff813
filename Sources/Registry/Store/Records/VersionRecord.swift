import Foundation
import GRDB

/// One immutable version of a model: a pushed SavedModel or a training checkpoint.
struct VersionRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    static let databaseTableName = "versions"
    var id: Int64?
    var modelID: Int64
    var number: Int64
    var createdAt: Double
    var kind: String
    var source: String?
    var parentID: Int64?
    var run: String?
    var globalStep: Int64?
    var metricsJSON: String?
    var graphEncoding: String
    var schemaVersion: Int64
    var graphExtra: Data?
    var graphTextID: Int64?
    var bundlePrefix: String?
    var bundleHeader: Data?
    /// Kept for good by keep_checkpoint_every_n_hours; retention never deletes it.
    var preserved: Bool = false

    enum CodingKeys: String, CodingKey {
        case id, number, kind, source, run
        case modelID = "model_id", createdAt = "created_at", parentID = "parent_id", globalStep = "global_step"
        case metricsJSON = "metrics_json", graphEncoding = "graph_encoding", schemaVersion = "schema_version"
        case graphExtra = "graph_extra", graphTextID = "graph_text_id", bundlePrefix = "bundle_prefix", bundleHeader = "bundle_header"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

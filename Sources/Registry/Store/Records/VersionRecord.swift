import RegistryFormat
import Foundation
import GRDB

/// One immutable version of a model: a pushed SavedModel or a training checkpoint, with the
/// envelope fields an export needs to write its files back byte for byte.
package struct VersionRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    package static let databaseTableName = "versions"
    package var id: Int64?
    package var modelID: Int64
    package var number: Int64
    package var createdAt: Double
    package var kind: VersionKind
    package var source: String?
    package var parentID: Int64?
    package var run: String?
    package var globalStep: Int64?
    package var metricsJSON: String?
    package var graphEncoding: GraphEncoding
    package var schemaVersion: Int64
    package var graphExtra: Data?
    package var graphTextID: Int64?
    package var bundlePrefix: String?
    package var bundleHeader: Data?
    /// Kept for good by keep_checkpoint_every_n_hours; retention never deletes it.
    package var preserved: Bool = false
    /// From a CheckpointManager's state file: this checkpoint's time, and the time of the last
    /// checkpoint it kept for good (nil when the state file had none).
    package var checkpointTimestamp: Double?
    package var lastPreservedTimestamp: Double?

    enum CodingKeys: String, CodingKey {
        case id, number, kind, source, run, preserved
        case modelID = "model_id", createdAt = "created_at", parentID = "parent_id", globalStep = "global_step"
        case metricsJSON = "metrics_json", graphEncoding = "graph_encoding", schemaVersion = "schema_version"
        case graphExtra = "graph_extra", graphTextID = "graph_text_id", bundlePrefix = "bundle_prefix", bundleHeader = "bundle_header"
        case checkpointTimestamp = "checkpoint_timestamp", lastPreservedTimestamp = "last_preserved_timestamp"
    }

    package init(modelID: Int64, number: Int64, createdAt: Double, kind: VersionKind, source: String?, parentID: Int64?,
                 run: String?, globalStep: Int64?, metricsJSON: String?) {
        self.modelID = modelID
        self.number = number
        self.createdAt = createdAt
        self.kind = kind
        self.source = source
        self.parentID = parentID
        self.run = run
        self.globalStep = globalStep
        self.metricsJSON = metricsJSON
        graphEncoding = .binary
        schemaVersion = 1
    }

    package mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The metrics pushed with the version (`--metric`, a training save), by name.
    package var metrics: [String: Double]? {
        get throws {
            try metricsJSON.map { try JSONDecoder().decode([String: Double].self, from: Data($0.utf8)) }
        }
    }
}

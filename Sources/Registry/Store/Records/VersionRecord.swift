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
    /// Unknown top-level fields of the SavedModel message, as a content (none in TF's own files).
    package var graphExtraID: Int64?
    package var graphTextID: Int64?
    package var bundlePrefix: String?
    package var bundleHeader: Data?
    /// Kept for good by keep_checkpoint_every_n_hours; retention never deletes it.
    package var preserved: Bool = false
    /// From a CheckpointManager's state file: this checkpoint's time, and the time of the last
    /// checkpoint it kept for good (nil when the state file had none).
    package var checkpointTimestamp: Double?
    package var lastPreservedTimestamp: Double?
    /// Who recorded it, with what, from which commit, from which parent (`Provenance`).
    package var authorUser: String?
    package var authorHost: String?
    package var toolVersion: String?
    package var gitCommit: String?
    package var gitDirty: Bool?
    package var parentDigest: String?
    package var parentName: String?
    /// A pulled version's name where it was made (nil: made here) and the remote it came from.
    package var originModel: String?
    package var originNumber: Int64?
    package var originRemote: String?
    /// `sha256:…` of the OCI manifest a push of this version produces (nil until computed).
    package var digest: String?

    enum CodingKeys: String, CodingKey {
        case id, number, kind, source, run, preserved
        case modelID = "model_id", createdAt = "created_at", parentID = "parent_id", globalStep = "global_step"
        case metricsJSON = "metrics_json", graphEncoding = "graph_encoding", schemaVersion = "schema_version"
        case graphExtraID = "graph_extra_id", graphTextID = "graph_text_id", bundlePrefix = "bundle_prefix", bundleHeader = "bundle_header"
        case checkpointTimestamp = "checkpoint_timestamp", lastPreservedTimestamp = "last_preserved_timestamp"
        case authorUser = "author_user", authorHost = "author_host", toolVersion = "tool_version", gitCommit = "git_commit"
        case gitDirty = "git_dirty", parentDigest = "parent_digest", parentName = "parent_name", originModel = "origin_model"
        case originNumber = "origin_number", originRemote = "origin_remote", digest
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

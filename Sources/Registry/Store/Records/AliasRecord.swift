import RegistryFormat
import GRDB

/// A movable name for one version of a model (`prod`, `staging`), so that users and serving
/// configs can follow a version without knowing its number.
package struct AliasRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    package static let databaseTableName = "aliases"
    package var modelID: Int64
    package var alias: String
    package var versionID: Int64

    enum CodingKeys: String, CodingKey { case alias, modelID = "model_id", versionID = "version_id" }

    package init(modelID: Int64, alias: String, versionID: Int64) {
        self.modelID = modelID
        self.alias = alias
        self.versionID = versionID
    }
}

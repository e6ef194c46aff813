import GRDB

/// A key=value label on a version.
struct LabelRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "labels"
    var versionID: Int64
    var key: String
    var value: String

    enum CodingKeys: String, CodingKey { case key, value, versionID = "version_id" }
}

/// A movable name for one version of a model (`prod`, `staging`).
struct AliasRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "aliases"
    var modelID: Int64
    var alias: String
    var versionID: Int64

    enum CodingKeys: String, CodingKey { case alias, modelID = "model_id", versionID = "version_id" }
}

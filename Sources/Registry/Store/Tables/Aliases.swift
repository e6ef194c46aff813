import RegistryFormat
import GRDB

/// The `aliases` table: movable names for versions (`prod`, `staging`).
extension StoreSession {
    /// Points `alias` of the version's model at it, moving it if it exists.
    package func setAlias(_ alias: String, to version: VersionRecord) throws {
        try AliasRecord(modelID: version.modelID, alias: alias, versionID: version.id!).save(db)
    }

    /// Removes an alias of a model; the version stays.
    package func removeAlias(_ alias: String, modelID: Int64) throws {
        try db.execute(sql: "DELETE FROM aliases WHERE alias = ? AND model_id = ?", arguments: [alias, modelID])
    }

    /// The aliases pointing at a version, sorted.
    package func aliases(versionID: Int64) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT alias FROM aliases WHERE version_id = ? ORDER BY alias", arguments: [versionID])
    }

    /// Every alias of a model with the number of the version it names, by alias.
    package func aliases(modelID: Int64) throws -> [(alias: String, number: Int64)] {
        try Row.fetchAll(db, sql: """
            SELECT aliases.alias, versions.number FROM aliases JOIN versions ON versions.id = aliases.version_id
            WHERE aliases.model_id = ? ORDER BY aliases.alias
            """, arguments: [modelID]).map { ($0[0], $0[1]) }
    }
}

import RegistryFormat
import Foundation
import GRDB

/// The `versions` table: finding a version by reference, adding and deleting one.
extension StoreSession {
    /// The version `reference` names, or a `ReferenceError` saying what is missing.
    package func resolve(_ reference: VersionReference) throws -> VersionRecord {
        let modelID = try existingModelID(reference.model)
        switch reference.selector {
        case .latest:
            guard let version = try latestVersion(modelID: modelID) else { throw ReferenceError.modelNotFound(reference.model) }
            return version
        case .number(let number):
            let version = try VersionRecord.fetchOne(db, sql: "SELECT * FROM versions WHERE model_id = ? AND number = ?",
                                                     arguments: [modelID, number])
            guard let version else { throw ReferenceError.versionNotFound(model: reference.model, number: number) }
            return version
        case .alias(let alias):
            let version = try VersionRecord.fetchOne(db, sql: """
                SELECT versions.* FROM aliases JOIN versions ON versions.id = aliases.version_id
                WHERE aliases.model_id = ? AND aliases.alias = ?
                """, arguments: [modelID, alias])
            guard let version else { throw ReferenceError.aliasNotFound(model: reference.model, alias: alias) }
            return version
        }
    }

    /// The version of the same model numbered just below `version` (numbers may have gaps).
    package func previousVersion(of version: VersionRecord) throws -> VersionRecord? {
        try VersionRecord.fetchOne(db, sql: "SELECT * FROM versions WHERE model_id = ? AND number < ? ORDER BY number DESC LIMIT 1",
                                   arguments: [version.modelID, version.number])
    }

    package func latestVersion(modelID: Int64) throws -> VersionRecord? {
        try VersionRecord.fetchOne(db, sql: "SELECT * FROM versions WHERE model_id = ? ORDER BY number DESC LIMIT 1", arguments: [modelID])
    }

    /// Every version, by model then number (all of them when `ids` is nil).
    package func versions(ids: [Int64]? = nil) throws -> [VersionRecord] {
        guard let ids else { return try VersionRecord.order(Column("model_id"), Column("number")).fetchAll(db) }
        return try VersionRecord.filter(ids.contains(Column("id"))).order(Column("model_id"), Column("number")).fetchAll(db)
    }

    /// The checkpoints of a run that carry a bundle, oldest first, up to version `last`.
    package func checkpoints(modelID: Int64, upTo last: Int64 = .max) throws -> [VersionRecord] {
        try VersionRecord.fetchAll(db, sql: """
            SELECT * FROM versions WHERE model_id = ? AND kind = 'checkpoint' AND bundle_header IS NOT NULL AND number <= ?
            ORDER BY number
            """, arguments: [modelID, last])
    }

    /// The numbers of a model's versions, oldest first.
    package func versionNumbers(modelID: Int64) throws -> [Int64] {
        try Int64.fetchAll(db, sql: "SELECT number FROM versions WHERE model_id = ? ORDER BY number", arguments: [modelID])
    }

    /// Inserts a version row (its id is set).
    package func insert(_ version: inout VersionRecord) throws {
        try version.insert(db)
    }

    /// `NAME:N` of a version, or nil when it is gone.
    package func versionName(id: Int64) throws -> String? {
        try Row.fetchOne(db, sql: """
            SELECT models.name, versions.number FROM versions JOIN models ON models.id = versions.model_id WHERE versions.id = ?
            """, arguments: [id]).map { "\($0[0] as String):\($0[1] as Int64)" }
    }

    /// Bytes a version's tensors hold (kept on its row by triggers).
    package func tensorBytes(versionID: Int64) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT tensor_bytes FROM versions WHERE id = ?", arguments: [versionID]) ?? 0
    }

    /// Bytes a version's tensors and files hold (what a pull writes, for progress bars).
    package func storedBytes(versionID: Int64) throws -> Int64 {
        let tensors = try tensorBytes(versionID: versionID)
        let files = try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(size), 0) FROM files WHERE version_id = ?", arguments: [versionID]) ?? 0
        return tensors + files
    }

    /// Deletes a version: its rows (tags, tensors, files, labels, aliases) go with it, its
    /// children are re-linked to its parent (`Lineage`); its bytes stay until gc.
    package func deleteVersion(_ version: VersionRecord) throws {
        try relinkChildren(of: version)
        try db.execute(sql: "DELETE FROM versions WHERE id = ?", arguments: [version.id!])
    }
}

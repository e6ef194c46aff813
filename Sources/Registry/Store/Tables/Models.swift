import RegistryFormat
import Foundation
import GRDB

/// The `models` table: names, and the last version number each gave out.
extension StoreSession {
    /// The id of the model named `name`; with `create`, a new row when there is none.
    package func modelID(named name: String, create: Bool = false) throws -> Int64? {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM models WHERE name = ?", arguments: [name]) { return id }
        guard create else { return nil }
        var record = ModelRecord(name: name, createdAt: Date().timeIntervalSince1970)
        try record.insert(db)
        return record.id
    }

    /// The id of an existing model, or `ReferenceError.modelNotFound`.
    package func existingModelID(_ name: String) throws -> Int64 {
        guard let id = try modelID(named: name) else { throw ReferenceError.modelNotFound(name) }
        return id
    }

    /// The kind of the model's versions (a model keeps one kind), nil while it has none.
    package func modelKind(modelID: Int64) throws -> VersionKind? {
        try VersionKind.fetchOne(db, sql: "SELECT kind FROM versions WHERE model_id = ? ORDER BY number DESC LIMIT 1", arguments: [modelID])
    }

    package func modelName(id: Int64) throws -> String? {
        try String.fetchOne(db, sql: "SELECT name FROM models WHERE id = ?", arguments: [id])
    }

    /// Hands out the model's next version number; numbers are never reused, so that deleting
    /// `m:2` and pushing again yields `m:3`, not a different `m:2`.
    package func takeNextNumber(modelID: Int64) throws -> Int64 {
        let number = (try Int64.fetchOne(db, sql: "SELECT last_number FROM models WHERE id = ?", arguments: [modelID]) ?? 0) + 1
        try db.execute(sql: "UPDATE models SET last_number = ? WHERE id = ?", arguments: [number, modelID])
        return number
    }

    /// Deletes a model and every version of it (children elsewhere re-linked, see `Lineage`);
    /// returns how many versions went. Their bytes stay until gc.
    package func deleteModel(id: Int64) throws -> Int {
        let versions = try VersionRecord.filter(Column("model_id") == id).order(Column("number").desc).fetchAll(db)
        for version in versions { try deleteVersion(version) }
        try db.execute(sql: "DELETE FROM models WHERE id = ?", arguments: [id])
        return versions.count
    }
}

import RegistryFormat
import GRDB

/// The `labels` table: key=value pairs on versions.
extension StoreSession {
    /// Sets a version's labels (keys are checked: not empty, no '=').
    package func setLabels(_ labels: [String: String], versionID: Int64) throws {
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
            guard !key.isEmpty, !key.contains("=") else { throw ReferenceError.invalidLabel(key) }
            try LabelRecord(versionID: versionID, key: key, value: value).save(db)
        }
    }

    package func labels(versionID: Int64) throws -> [String: String] {
        try LabelRecord.filter(Column("version_id") == versionID).fetchAll(db).reduce(into: [:]) { $0[$1.key] = $1.value }
    }

    /// Removes a version's label; false when it had none under `key`.
    package func removeLabel(_ key: String, versionID: Int64) throws -> Bool {
        try db.execute(sql: "DELETE FROM labels WHERE version_id = ? AND key = ?", arguments: [versionID, key])
        return db.changesCount > 0
    }
}

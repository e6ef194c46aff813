import RegistryFormat
import GRDB

/// A version's parent (`--parent`, the previous checkpoint of a run, `train --from`) and the
/// one rule for deleting a version with children: they are re-linked to its parent, so that
/// the chain `show` prints stays whole whether `rm`, `rm --all` or retention deleted it.
extension StoreSession {
    /// Points the children of `version` at its parent (nil when it had none).
    package func relinkChildren(of version: VersionRecord) throws {
        try db.execute(sql: "UPDATE versions SET parent_id = ? WHERE parent_id = ?", arguments: [version.parentID, version.id!])
    }

    /// Records, on a version just made, its parent as it is now: `NAME:N` and digest (kept
    /// when the parent is later deleted and the version re-linked).
    package func recordParentProvenance(versionID: Int64) throws {
        try db.execute(sql: """
            UPDATE versions SET
                parent_name = (SELECT models.name || ':' || p.number FROM versions p JOIN models ON models.id = p.model_id
                               WHERE p.id = versions.parent_id),
                parent_digest = (SELECT p.digest FROM versions p WHERE p.id = versions.parent_id)
            WHERE id = ? AND parent_id IS NOT NULL AND parent_name IS NULL
            """, arguments: [versionID])
    }

    /// The version, then its parent, its parent's parent… as `NAME:N`, in one statement, at
    /// most 1,000 long (a damaged link cannot loop).
    package func lineage(versionID: Int64) throws -> [String] {
        try Row.fetchAll(db, sql: """
            WITH RECURSIVE chain(id, parent_id, model_id, number, depth) AS (
                SELECT id, parent_id, model_id, number, 0 FROM versions WHERE id = ?
                UNION ALL
                SELECT v.id, v.parent_id, v.model_id, v.number, chain.depth + 1 FROM versions v JOIN chain ON v.id = chain.parent_id
                WHERE chain.depth < 999)
            SELECT models.name, chain.number FROM chain LEFT JOIN models ON models.id = chain.model_id ORDER BY chain.depth
            """, arguments: [versionID]).map { "\($0[0] as String? ?? "?"):\($0[1] as Int64)" }
    }
}

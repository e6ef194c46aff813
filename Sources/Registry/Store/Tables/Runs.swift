import RegistryFormat
import Foundation
import GRDB

/// The `runs` table: a training run's `tf.train.Saver` retention state.
extension StoreSession {
    /// Starts a training session on a run the way constructing a `tf.train.Saver` does: the
    /// next keep time is `now` + keepEveryHours.
    package func beginRun(modelID: Int64, policy: RetentionPolicy, now: Date) throws {
        try RunRecord(modelID: modelID, maxToKeep: policy.maxToKeep, keepEveryHours: policy.keepEveryHours,
                      nextKeepTime: now.timeIntervalSince1970 + policy.keepEveryHours * 3600).save(db)
    }

    /// The rules a run was last trained with, if it was trained here.
    package func retentionPolicy(modelID: Int64) throws -> RetentionPolicy? {
        try RunRecord.fetchOne(db, key: modelID).map { RetentionPolicy(maxToKeep: $0.maxToKeep, keepEveryHours: $0.keepEveryHours) }
    }

    /// One step of `Saver._MaybeDeleteOldCheckpoints` over the run's window: when more than
    /// `maxToKeep` checkpoints are in it, the oldest leaves it and is either kept for good
    /// (saved after the next keep time, which moves on) or deleted (`deleteVersion`, whose
    /// lineage rule re-links its child). Returns the version numbers deleted and preserved.
    package func applyRetention(modelID: Int64) throws -> (deleted: [Int64], preserved: [Int64]) {
        guard let run = try RunRecord.fetchOne(db, key: modelID), run.maxToKeep > 0 else { return ([], []) }
        let window = try VersionRecord.fetchAll(db, sql: """
            SELECT * FROM versions WHERE model_id = ? AND kind = 'checkpoint' AND preserved = 0 ORDER BY number
            """, arguments: [modelID])
        guard window.count > run.maxToKeep, let oldest = window.first else { return ([], []) }
        if oldest.createdAt > run.nextKeepTime {
            try db.execute(sql: "UPDATE versions SET preserved = 1 WHERE id = ?", arguments: [oldest.id!])
            try db.execute(sql: "UPDATE runs SET next_keep_time = next_keep_time + ? WHERE model_id = ?",
                           arguments: [run.keepEveryHours * 3600, modelID])
            return ([], [oldest.number])
        }
        try deleteVersion(oldest)
        return ([oldest.number], [])
    }
}

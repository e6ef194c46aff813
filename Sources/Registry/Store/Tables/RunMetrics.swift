import Foundation
import RegistryFormat
import GRDB

/// The `run_metrics` table: a run's per-epoch curve by step.
extension StoreSession {
    /// Adds points to a run's curve (a point at a step already there replaces it).
    package func addCurve(_ points: [MetricPoint], modelID: Int64) throws {
        for point in points {
            try RunMetricRecord(modelID: modelID, step: point.step, epoch: point.epoch, loss: point.loss, accuracy: point.accuracy)
                .save(db)
        }
    }

    /// The run's curve and its versions' steps and metrics; with `maxPoints`, each list keeps at
    /// most that many rows, every k-th by step and always the last, chosen inside SQLite so
    /// that a run of 100,000 epochs hands over only what is drawn.
    package func trainingCurve(modelID: Int64, maxPoints: Int?) throws -> TrainingCurve {
        let epochCount = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run_metrics WHERE model_id = ?", arguments: [modelID]) ?? 0
        let checkpointCount = try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM versions WHERE model_id = ? AND global_step IS NOT NULL
            """, arguments: [modelID]) ?? 0
        func stride(_ count: Int) -> Int { maxPoints.map { max(1, (count + $0 - 1) / max($0, 1)) } ?? 1 }
        let epochs = try Row.fetchAll(db, sql: """
            SELECT step, epoch, loss, accuracy FROM (
                SELECT step, epoch, loss, accuracy, ROW_NUMBER() OVER (ORDER BY step) - 1 AS n FROM run_metrics WHERE model_id = ?)
            WHERE n % ? = 0 OR n = ? ORDER BY step
            """, arguments: [modelID, stride(epochCount), epochCount - 1]).map {
            MetricPoint(step: $0[0], epoch: $0[1], loss: $0[2], accuracy: $0[3])
        }
        let decoder = JSONDecoder()
        let checkpoints = try Row.fetchAll(db, sql: """
            SELECT number, global_step, metrics_json FROM (
                SELECT number, global_step, metrics_json, ROW_NUMBER() OVER (ORDER BY global_step, number) - 1 AS n
                FROM versions WHERE model_id = ? AND global_step IS NOT NULL)
            WHERE n % ? = 0 OR n = ? ORDER BY global_step, number
            """, arguments: [modelID, stride(checkpointCount), checkpointCount - 1]).map { row in
            let metrics = try (row[2] as String?).map { try decoder.decode([String: Double].self, from: Data($0.utf8)) }
            return TrainingCurve.Checkpoint(version: row[0], step: row[1], loss: metrics?["loss"], accuracy: metrics?["accuracy"])
        }
        return TrainingCurve(epochs: epochs, checkpoints: checkpoints, epochCount: epochCount, checkpointCount: checkpointCount)
    }
}

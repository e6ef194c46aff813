import Foundation
import RegistryFormat
import GRDB

/// The `run_metrics` table (a run's per-epoch curve by step, from `registry train`) and the
/// `metric_series` table (named metrics by step, from pushes and TensorBoard event files).
extension StoreSession {
    /// Adds points to a run's curve (a point at a step already there replaces it).
    package func addCurve(_ points: [MetricPoint], modelID: Int64) throws {
        for point in points {
            try RunMetricRecord(modelID: modelID, step: point.step, epoch: point.epoch, loss: point.loss, accuracy: point.accuracy)
                .save(db)
        }
    }

    /// The run's curve, its series and its versions' steps and metrics; with `maxPoints`, each
    /// list (each series apart) keeps at most that many rows, every k-th by step and always the
    /// last, chosen inside SQLite so that a run of 100,000 epochs hands over only what is drawn.
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
            return TrainingCurve.Checkpoint(version: row[0], step: row[1], metrics: metrics ?? [:])
        }
        let (series, seriesPointCount) = try series(modelID: modelID, maxPoints: maxPoints)
        return TrainingCurve(epochs: epochs, checkpoints: checkpoints, series: series,
                             epochCount: epochCount, checkpointCount: checkpointCount, seriesPointCount: seriesPointCount)
    }

    /// The model's series thinned as `trainingCurve` thins its lists (each series apart, by its
    /// own count), and how many points they have in all.
    private func series(modelID: Int64, maxPoints: Int?) throws -> ([MetricSeries], Int) {
        let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM metric_series WHERE model_id = ?", arguments: [modelID]) ?? 0
        let rows = try Row.fetchAll(db, sql: """
            SELECT name, step, value FROM (
                SELECT name, step, value, ROW_NUMBER() OVER (PARTITION BY name ORDER BY step) - 1 AS n,
                       COUNT(*) OVER (PARTITION BY name) AS count
                FROM metric_series WHERE model_id = ?1)
            WHERE ?2 IS NULL OR n % MAX(1, (count + ?2 - 1) / ?2) = 0 OR n = count - 1 ORDER BY name, step
            """, arguments: [modelID, maxPoints])
        var series: [MetricSeries] = []
        for row in rows {
            let name: String = row[0]
            if series.last?.name != name { series.append(MetricSeries(name: name, points: [])) }
            series[series.count - 1].points.append(.init(step: row[1], value: row[2]))
        }
        return (series, total)
    }

    /// Records series values (a value at a step already there replaces it).
    package func addSeries(_ series: [MetricSeries], modelID: Int64) throws {
        for one in series {
            for point in one.points {
                try MetricSeriesRecord(modelID: modelID, name: one.name, step: point.step, value: point.value).save(db)
            }
        }
    }
}

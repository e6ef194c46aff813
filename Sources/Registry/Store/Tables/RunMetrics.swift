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

    /// The run's curve by step (empty for models that were not trained here).
    package func curve(modelID: Int64) throws -> [MetricPoint] {
        try RunMetricRecord.filter(Column("model_id") == modelID).order(Column("step")).fetchAll(db)
            .map { MetricPoint(step: $0.step, epoch: $0.epoch, loss: $0.loss, accuracy: $0.accuracy) }
    }
}

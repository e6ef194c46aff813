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

    /// The run's curve by step (empty for models that were not trained here).
    package func curve(modelID: Int64) throws -> [MetricPoint] {
        try RunMetricRecord.filter(Column("model_id") == modelID).order(Column("step")).fetchAll(db)
            .map { MetricPoint(step: $0.step, epoch: $0.epoch, loss: $0.loss, accuracy: $0.accuracy) }
    }

    /// Records series values (a value at a step already there replaces it).
    package func addSeries(_ series: [MetricSeries], modelID: Int64) throws {
        for one in series {
            for point in one.points {
                try MetricSeriesRecord(modelID: modelID, name: one.name, step: point.step, value: point.value).save(db)
            }
        }
    }

    /// The model's series, by name, each by step.
    package func series(modelID: Int64) throws -> [MetricSeries] {
        let rows = try MetricSeriesRecord.filter(Column("model_id") == modelID).order(Column("name"), Column("step")).fetchAll(db)
        var series: [MetricSeries] = []
        for row in rows {
            if series.last?.name != row.name { series.append(MetricSeries(name: row.name, points: [])) }
            series[series.count - 1].points.append(.init(step: row.step, value: row.value))
        }
        return series
    }
}

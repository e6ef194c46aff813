import GRDB

/// One value of a run's named metric at a global step (`metric_series`): logged by a training
/// loop (`push --metric`, TensorBoard event files), kept however many checkpoints retention drops.
package struct MetricSeriesRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    package static let databaseTableName = "metric_series"
    package var modelID: Int64
    package var name: String
    package var step: Int64
    package var value: Double

    enum CodingKeys: String, CodingKey { case name, step, value, modelID = "model_id" }

    package init(modelID: Int64, name: String, step: Int64, value: Double) {
        self.modelID = modelID
        self.name = name
        self.step = step
        self.value = value
    }
}

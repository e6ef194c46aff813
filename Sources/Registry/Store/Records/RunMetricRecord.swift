import RegistryFormat
import GRDB

/// One point of a run's per-epoch curve (loss and accuracy by step), kept beside its
/// checkpoints so that `history --plot` draws the whole run, not only the retained saves.
package struct RunMetricRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    package static let databaseTableName = "run_metrics"
    package var modelID: Int64
    package var step: Int64
    package var epoch: Int64
    package var loss: Double
    package var accuracy: Double

    enum CodingKeys: String, CodingKey { case step, epoch, loss, accuracy, modelID = "model_id" }

    package init(modelID: Int64, step: Int64, epoch: Int64, loss: Double, accuracy: Double) {
        self.modelID = modelID
        self.step = step
        self.epoch = epoch
        self.loss = loss
        self.accuracy = accuracy
    }
}

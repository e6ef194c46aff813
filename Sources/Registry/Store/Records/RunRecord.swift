import RegistryFormat
import GRDB

/// A training run's `tf.train.Saver` retention state: how many checkpoints stay in the window,
/// how often one is kept for good, and the time after which the next one leaving the window is.
package struct RunRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    package static let databaseTableName = "runs"
    package var modelID: Int64
    package var maxToKeep: Int
    package var keepEveryHours: Double
    package var nextKeepTime: Double

    enum CodingKeys: String, CodingKey {
        case modelID = "model_id", maxToKeep = "max_to_keep", keepEveryHours = "keep_every_hours", nextKeepTime = "next_keep_time"
    }

    package init(modelID: Int64, maxToKeep: Int, keepEveryHours: Double, nextKeepTime: Double) {
        self.modelID = modelID
        self.maxToKeep = maxToKeep
        self.keepEveryHours = keepEveryHours
        self.nextKeepTime = nextKeepTime
    }
}

import RegistryFormat
import GRDB

/// A named model (or training run); its versions hang off it, numbered from 1.
package struct ModelRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    package static let databaseTableName = "models"
    package var id: Int64?
    package var name: String
    package var createdAt: Double
    /// The highest version number ever given out; numbers are never reused.
    package var lastNumber: Int64 = 0

    enum CodingKeys: String, CodingKey { case id, name, createdAt = "created_at", lastNumber = "last_number" }

    package init(name: String, createdAt: Double) {
        self.name = name
        self.createdAt = createdAt
    }

    package mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

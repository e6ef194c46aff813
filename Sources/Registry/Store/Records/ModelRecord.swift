import GRDB

/// A named model; its versions hang off it.
struct ModelRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    static let databaseTableName = "models"
    var id: Int64?
    var name: String
    var createdAt: Double
    /// The highest version number ever given out; numbers are never reused.
    var lastNumber: Int64 = 0

    enum CodingKeys: String, CodingKey { case id, name, createdAt = "created_at", lastNumber = "last_number" }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

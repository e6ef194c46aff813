import GRDB

/// A named model; its versions hang off it.
struct ModelRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    static let databaseTableName = "models"
    var id: Int64?
    var name: String
    var createdAt: Double

    enum CodingKeys: String, CodingKey { case id, name, createdAt = "created_at" }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

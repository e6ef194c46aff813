import RegistryFormat
import GRDB

/// A key=value label on a version (`data=random`): what `ls --label` filters on.
package struct LabelRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    package static let databaseTableName = "labels"
    package var versionID: Int64
    package var key: String
    package var value: String

    enum CodingKeys: String, CodingKey { case key, value, versionID = "version_id" }

    package init(versionID: Int64, key: String, value: String) {
        self.versionID = versionID
        self.key = key
        self.value = value
    }
}

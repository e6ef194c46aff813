import RegistryFormat
import GRDB

/// A file or folder of a version other than the graph and the bundle (assets, assets.extra,
/// fingerprint.pb, a checkpoint's `.meta`); folders have no content, so that empty ones
/// come back too.
package struct FileRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    package static let databaseTableName = "files"
    package var versionID: Int64
    package var path: String
    package var isFolder: Bool
    package var size: Int64
    package var contentID: Int64?

    enum CodingKeys: String, CodingKey {
        case path, size
        case versionID = "version_id", isFolder = "is_folder", contentID = "content_id"
    }

    package init(versionID: Int64, path: String, isFolder: Bool, size: Int64, contentID: Int64?) {
        self.versionID = versionID
        self.path = path
        self.isFolder = isFolder
        self.size = size
        self.contentID = contentID
    }
}

import RegistryFormat
import GRDB

/// How a version's SavedModel graph file was written: `saved_model.pb` (binary) or
/// `saved_model.pbtxt` (text, kept as its original bytes, so it comes back byte for byte).
public enum GraphEncoding: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case binary
    case text
}

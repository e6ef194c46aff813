import RegistryFormat
import GRDB

/// What a version holds: a whole SavedModel folder, or one checkpoint of a training run
/// (a bundle under its prefix, maybe a `.meta`). Stored and printed as its raw value.
public enum VersionKind: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case savedModel = "saved_model"
    case checkpoint
}

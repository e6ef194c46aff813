import RegistryFormat

/// Why a registry operation was refused by the API's own rules (beyond names and lookups,
/// `ReferenceError`; files, `FormatError`; the database, `StoreError`), in words that say what
/// to do next.
public enum RegistryError: CodedError, Equatable {
    /// `--checkpoint` named a version that is not a checkpoint of a training run.
    case notACheckpoint(version: String)
    /// A version to publish for TensorFlow Serving has no `{serve}` meta graph to load.
    case notServable(version: String, tagSets: [TagSet])
    /// A serving base path holds version folders the registry did not write for the model.
    case foreignVersionFolders(base: String, names: [String])

    public var description: String {
        switch self {
        case let .notACheckpoint(version):
            return "\(version) is not a checkpoint of a training run; pull it without --checkpoint"
        case let .notServable(version, tagSets):
            let has = tagSets.isEmpty ? "no meta graph" : tagSets.map { "{\($0)}" }.joined(separator: " ")
            return "\(version) has no {serve} meta graph for TensorFlow Serving to load (it has \(has)); "
                + "leave it out (--alias, --version, --latest) or push a SavedModel exported for serving"
        case let .foreignVersionFolders(base, names):
            let shown = names.prefix(8).joined(separator: ", ") + (names.count > 8 ? ", …" : "")
            return "\(base) holds version folders the registry did not write for this model (\(shown)); TensorFlow Serving "
                + "would serve them too: move them away, or pass --force to replace or remove them"
        }
    }

    public var code: String {
        switch self {
        case .notACheckpoint: "not_a_checkpoint"
        case .notServable: "not_servable"
        case .foreignVersionFolders: "foreign_version_folders"
        }
    }

    public var category: ErrorCategory {
        switch self {
        case .notACheckpoint, .notServable: .usage
        case .foreignVersionFolders: .alreadyExists
        }
    }
}

import RegistryFormat

/// Why a registry operation was refused by the API's own rules (beyond names and lookups,
/// `ReferenceError`; files, `FormatError`; the database, `StoreError`), in words that say what
/// to do next.
public enum RegistryError: CodedError, Equatable {
    /// `--checkpoint` named a version that is not a checkpoint of a training run.
    case notACheckpoint(version: String)
    /// `--step` or `--metric` given for a folder that holds several checkpoints.
    case oneCheckpointOptions(folder: String, count: Int)
    /// Saver retention rules given with a SavedModel.
    case retentionOfSavedModel(folder: String)

    public var description: String {
        switch self {
        case let .notACheckpoint(version):
            return "\(version) is not a checkpoint of a training run; pull it without --checkpoint"
        case let .oneCheckpointOptions(folder, count):
            return "--step and --metric describe one checkpoint, but \(folder) holds \(count); push one checkpoint by its prefix (DIR/model.ckpt-N)"
        case let .retentionOfSavedModel(folder):
            return "--max-to-keep and --keep-every-hours are a training run's rules for its checkpoints; \(folder) is a SavedModel"
        }
    }

    public var code: String {
        switch self {
        case .notACheckpoint: "not_a_checkpoint"
        case .oneCheckpointOptions: "one_checkpoint_options"
        case .retentionOfSavedModel: "retention_of_saved_model"
        }
    }

    public var category: ErrorCategory {
        switch self {
        case .notACheckpoint, .oneCheckpointOptions, .retentionOfSavedModel: .usage
        }
    }
}

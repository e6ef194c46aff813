import RegistryFormat
import RegistryStore

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
    /// A model holds versions of one kind; this would add another kind.
    case kindMismatch(model: String, holds: VersionKind, adding: VersionKind)
    /// A verb for training runs (`train`, `pull --checkpoint`) named a model of SavedModels.
    case notATrainingRun(model: String, advice: String)
    /// `rm` of a version that aliases point at, without `--force`.
    case versionHasAliases(version: String, aliases: [String])
    /// `rm NAME --all` of a model that has aliases, without `--force`.
    case modelHasAliases(model: String, aliases: [String])
    /// `latest` always names the newest version; it cannot be set, moved or deleted.
    case reservedAlias(String)
    /// The same label key given twice in one command.
    case duplicateLabel(key: String, values: [String])
    /// `label --remove` named a key the version does not carry.
    case labelNotFound(version: String, key: String)
    /// `diff REF` alone on the first version of a model.
    case noPreviousVersion(version: String)

    public var description: String {
        switch self {
        case let .notACheckpoint(version):
            return "\(version) is not a checkpoint of a training run; pull it without --checkpoint"
        case let .oneCheckpointOptions(folder, count):
            return "--step and --metric describe one checkpoint, but \(folder) holds \(count); push one checkpoint by its prefix (DIR/model.ckpt-N)"
        case let .retentionOfSavedModel(folder):
            return "--max-to-keep and --keep-every-hours are a training run's rules for its checkpoints; \(folder) is a SavedModel"
        case let .kindMismatch(model, holds, adding):
            return "model '\(model)' holds \(holds.rawValue) versions and this would add a \(adding.rawValue); "
                + "a model keeps one kind, so push it under another name"
        case let .notATrainingRun(model, advice):
            return "model '\(model)' holds saved_model versions, not the checkpoints of a training run; \(advice)"
        case let .versionHasAliases(version, aliases):
            let model = version.split(separator: ":").first.map(String.init) ?? version
            return "\(version) carries the alias\(aliases.count == 1 ? "" : "es") \(aliases.joined(separator: ", ")), which would go with it; "
                + "`registry alias --delete \(model)@\(aliases[0])` removes an alias only, `registry rm \(version) --force` deletes the version and its aliases"
        case let .modelHasAliases(model, aliases):
            return "model '\(model)' has the alias\(aliases.count == 1 ? "" : "es") \(aliases.joined(separator: ", ")); "
                + "`registry rm \(model) --all --force` deletes the model with them"
        case let .reservedAlias(alias):
            return "'\(alias)' is reserved: NAME@\(alias) always names the newest version; choose another alias"
        case let .duplicateLabel(key, values):
            return "label '\(key)' given \(values.count) times (\(values.map { "\(key)=\($0)" }.joined(separator: ", "))); give each key once"
        case let .labelNotFound(version, key):
            return "\(version) has no label '\(key)'; `registry show \(version)` lists its labels"
        case let .noPreviousVersion(version):
            return "\(version) is the first version of its model, so there is nothing before it; name two versions: registry diff A B"
        }
    }

    public var code: String {
        switch self {
        case .notACheckpoint: "not_a_checkpoint"
        case .oneCheckpointOptions: "one_checkpoint_options"
        case .retentionOfSavedModel: "retention_of_saved_model"
        case .kindMismatch: "kind_mismatch"
        case .notATrainingRun: "not_a_training_run"
        case .versionHasAliases: "version_has_aliases"
        case .modelHasAliases: "model_has_aliases"
        case .reservedAlias: "reserved_alias"
        case .duplicateLabel: "duplicate_label"
        case .labelNotFound: "label_not_found"
        case .noPreviousVersion: "no_previous_version"
        }
    }

    public var category: ErrorCategory {
        switch self {
        case .notACheckpoint, .oneCheckpointOptions, .retentionOfSavedModel, .kindMismatch, .notATrainingRun, .versionHasAliases, .modelHasAliases, .reservedAlias, .duplicateLabel: .usage
        case .labelNotFound, .noPreviousVersion: .notFound
        }
    }
}

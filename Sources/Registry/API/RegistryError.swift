import RegistryFormat

/// Why a registry operation was refused by the API's own rules (beyond names and lookups,
/// `ReferenceError`; files, `FormatError`; the database, `StoreError`), in words that say what
/// to do next.
public enum RegistryError: CodedError, Equatable {
    /// `--checkpoint` named a version that is not a checkpoint of a training run.
    case notACheckpoint(version: String)
    /// `prune` was given a rule it cannot apply.
    case invalidPruneRule(String)

    public var description: String {
        switch self {
        case let .notACheckpoint(version):
            return "\(version) is not a checkpoint of a training run; pull it without --checkpoint"
        case let .invalidPruneRule(detail):
            return "prune: \(detail)"
        }
    }

    public var code: String {
        switch self {
        case .notACheckpoint: "not_a_checkpoint"
        case .invalidPruneRule: "invalid_prune_rule"
        }
    }

    public var category: ErrorCategory {
        switch self {
        case .notACheckpoint, .invalidPruneRule: .usage
        }
    }
}

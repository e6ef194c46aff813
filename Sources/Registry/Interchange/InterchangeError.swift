import RegistryFormat

/// Why a version (or one of its tensors) could not be written out, or a folder brought in, beyond what the
/// files themselves say (`FormatError`) and what the database says (`StoreError`).
public enum InterchangeError: CodedError, Equatable {
    /// The folder to write exists and `--force` was not given.
    case targetExists(path: String)
    /// `--tags` asked for tag sets the version lacks.
    case noSuchTagSet(requested: [TagSet], available: [TagSet])
    /// A `saved_model.pbtxt` version cannot be cut to a subset of its meta graphs without loss.
    case subsetOfTextGraph(version: String)
    /// `cat` named a tensor the version does not hold.
    case tensorNotFound(version: String, name: String)
    /// `cat` cannot give this tensor in the form asked for (a variant has no numpy form).
    case tensorUnrepresentable(tensor: String, reason: String)

    public var description: String {
        switch self {
        case let .targetExists(path):
            return "\(path) already exists; choose another folder or pass --force to replace it"
        case let .noSuchTagSet(requested, available):
            return "no meta graph tagged \(requested.map { "{\($0)}" }.joined(separator: ", ")); this version has "
                + (available.isEmpty ? "no meta graphs" : available.map { "{\($0)}" }.joined(separator: ", "))
        case let .subsetOfTextGraph(version):
            return "\(version) was pushed as saved_model.pbtxt, from which a subset of meta graphs cannot be cut without loss; "
                + "pull it without --tags"
        case let .tensorNotFound(version, name):
            return "\(version) has no tensor '\(name)'; `registry show \(version)` lists its tensors"
        case let .tensorUnrepresentable(tensor, reason):
            return "\(tensor): \(reason)"
        }
    }

    public var code: String {
        switch self {
        case .targetExists: "target_exists"
        case .noSuchTagSet: "tag_set_not_found"
        case .subsetOfTextGraph: "subset_of_text_graph"
        case .tensorNotFound: "tensor_not_found"
        case .tensorUnrepresentable: "tensor_unrepresentable"
        }
    }

    public var category: ErrorCategory {
        switch self {
        case .targetExists: .alreadyExists
        case .noSuchTagSet: .notFound
        case .subsetOfTextGraph: .usage
        case .tensorNotFound: .notFound
        case .tensorUnrepresentable: .unsupported
        }
    }
}

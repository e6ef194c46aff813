import RegistryFormat

/// Why a name, a reference or a label cannot be used, or names nothing in the registry; each
/// message says which command lists what there is.
public enum ReferenceError: CodedError, Equatable {
    case invalidReference(String, reason: String)
    case invalidName(String, reason: String)
    case invalidLabel(String)
    case modelNotFound(String)
    case versionNotFound(model: String, number: Int64)
    case aliasNotFound(model: String, alias: String)

    public var description: String {
        switch self {
        case let .invalidReference(text, reason):
            return "'\(SafeText.name(text))' is not a model reference (\(reason)); use NAME, NAME:N or NAME@ALIAS"
        case let .invalidName(text, reason):
            return "'\(SafeText.name(text))' cannot name a model: \(reason)"
        case let .invalidLabel(text):
            return "'\(SafeText.name(text))' is not a label; write key=value"
        case let .modelNotFound(name):
            return "no model named '\(SafeText.name(name))'; `registry ls` lists the models"
        case let .versionNotFound(model, number):
            let model = SafeText.name(model)
            return "model '\(model)' has no version \(number); `registry history \(model)` lists its versions"
        case let .aliasNotFound(model, alias):
            let model = SafeText.name(model)
            return "model '\(model)' has no alias '\(SafeText.name(alias))'; `registry history \(model)` shows its aliases"
        }
    }

    public var code: String {
        switch self {
        case .invalidReference: "invalid_reference"
        case .invalidName: "invalid_name"
        case .invalidLabel: "invalid_label"
        case .modelNotFound: "model_not_found"
        case .versionNotFound: "version_not_found"
        case .aliasNotFound: "alias_not_found"
        }
    }

    public var category: ErrorCategory {
        switch self {
        case .invalidReference, .invalidName, .invalidLabel: .usage
        case .modelNotFound, .versionNotFound, .aliasNotFound: .notFound
        }
    }
}

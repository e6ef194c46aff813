/// Why a registry operation failed, in words that say what to do next.
public enum RegistryError: Error, CustomStringConvertible, Sendable {
    case invalidReference(String, reason: String)
    case invalidName(String, reason: String)
    case modelNotFound(String)
    case versionNotFound(model: String, number: Int64)
    case aliasNotFound(model: String, alias: String)
    case targetExists(path: String)
    case noSuchTagSet(requested: [String], available: [String])
    case invalidLabel(String)
    case unsafeRegistryPath(path: String, reason: String)
    case subsetOfTextGraph(version: String)
    case notACheckpoint(version: String)

    public var description: String {
        switch self {
        case let .invalidReference(text, reason):
            return "'\(text)' is not a model reference (\(reason)); use NAME, NAME:N or NAME@ALIAS"
        case let .invalidName(text, reason):
            return "'\(text)' cannot name a model: \(reason)"
        case let .modelNotFound(name):
            return "no model named '\(name)'; `registry ls` lists the models"
        case let .versionNotFound(model, number):
            return "model '\(model)' has no version \(number); `registry history \(model)` lists its versions"
        case let .aliasNotFound(model, alias):
            return "model '\(model)' has no alias '\(alias)'; `registry history \(model)` shows its aliases"
        case let .targetExists(path):
            return "\(path) already exists; choose another folder or pass --force to replace it"
        case let .noSuchTagSet(requested, available):
            return "no meta graph tagged \(requested.map { "{\($0)}" }.joined(separator: ", ")); this version has "
                + available.map { "{\($0)}" }.joined(separator: ", ")
        case let .invalidLabel(text):
            return "'\(text)' is not a label; write key=value"
        case let .unsafeRegistryPath(path, reason):
            return "\(path): \(reason)"
        case let .notACheckpoint(version):
            return "\(version) is not a checkpoint of a training run; pull it without --checkpoint"
        case let .subsetOfTextGraph(version):
            return "\(version) was pushed as saved_model.pbtxt, from which a subset of meta graphs cannot be cut without loss; "
                + "pull it without --tags"
        }
    }
}

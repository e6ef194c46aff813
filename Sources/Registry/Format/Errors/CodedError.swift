/// What kind of failure an error is, so that callers (the CLI's exit code, the Python
/// package's exception classes, scripts reading `--json`) can react without parsing messages.
public enum ErrorCategory: String, Codable, Sendable, CaseIterable {
    /// The command or its arguments are wrong: a bad name, reference, label or option.
    case usage
    /// A model, version, alias, tag set, file or remote object does not exist.
    case notFound = "not_found"
    /// The target is already there (a folder to write, a name to take).
    case alreadyExists = "already_exists"
    /// Bytes fail their checks: a damaged file, chunk or download.
    case damaged
    /// The input is not what it claims to be, or unsafe to use (a bad file, a path that escapes).
    case invalidInput = "invalid_input"
    /// Another party is in the way for now (a lock, an unreachable or refusing server): try again.
    case unavailable
    /// The machine refused: permissions, a full disk, an I/O error.
    case environment
    /// Legal, but not something this build handles (a newer schema or format).
    case unsupported
}

/// An error with a stable code: one snake_case word per failure (`model_not_found`) that
/// scripts and tests can match, beside the one-line message (`description`) that people read.
public protocol CodedError: Error, CustomStringConvertible, Sendable {
    /// Stable across releases; documented with the CLI's `--json` errors.
    var code: String { get }
    var category: ErrorCategory { get }
}

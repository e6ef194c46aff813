import Registry

/// A failure the CLI itself detects (a plot it cannot write, a folder it cannot read): one
/// line on stderr, exit status 1, with a stable code like every registry error.
struct CLIFailure: CodedError {
    var message: String
    var code = "command_failed"
    var category = ErrorCategory.environment

    init(message: String, code: String = "command_failed", category: ErrorCategory = .environment) {
        self.message = message
        self.code = code
        self.category = category
    }

    var description: String { message }
}

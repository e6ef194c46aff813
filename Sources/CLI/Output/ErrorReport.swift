import ArgumentParser
import Foundation
import Registry
import RegistryUI

/// How a failed command ends: ArgumentParser's own text (`Error: …`, exit 1; usage errors
/// with the usage line, exit 64), or under `--json` one JSON object on stderr,
/// `{"error": {"code", "category", "message"}}`, with the same exit status, so that scripts and
/// the Python package read the code instead of parsing words.
enum ErrorReport {
    /// Whether `--json` was given before any `--`, or `REGISTRY_ERROR_FORMAT=json` asks for JSON
    /// errors from every verb (those without `--json` too), as the Python package does.
    static func jsonRequested(_ arguments: [String]) -> Bool {
        ProcessInfo.processInfo.environment["REGISTRY_ERROR_FORMAT"] == "json"
            || arguments.dropFirst().prefix { $0 != "--" }.contains("--json")
    }

    static func exit(with error: Error, command: ParsableCommand.Type, json: Bool) -> Never {
        guard json, !(error is ExitCode) else { command.exit(withError: (error as? any CodedError).map(Escaped.init) ?? error) }
        let status = command.exitCode(for: error)
        let text: String
        if let coded = error as? any CodedError {
            text = JSONStyle.error(coded)
        } else {
            let usage = status.rawValue == 64
            let message = command.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            text = JSONStyle.error(code: usage ? "usage" : "command_failed", category: usage ? ErrorCategory.usage.rawValue : "failed",
                                   message: message)
        }
        FileHandle.standardError.write(Data((text + "\n").utf8))
        Foundation.exit(status.rawValue)
    }

    /// A registry error as text output prints it: its message escaped (`Output.escaped`), its
    /// code, category and exit status unchanged.
    private struct Escaped: CodedError {
        let error: any CodedError
        var description: String { Output.escaped(error.description) }
        var code: String { error.code }
        var category: ErrorCategory { error.category }
    }
}

import Foundation
import Testing
import TestSupport

/// The whole text and exit status of a command, as swift-argument-parser's
/// `AssertExecuteCommand` checks them: stdout and stderr compared in full, line by line in the
/// failure message. Times are not normalised but fixed: `REGISTRY_CREATED_AT` records every
/// new version at `Golden.createdAt` and `TZ=UTC` prints it as `Golden.createdText`. Two paths
/// that depend on the machine are normalised, and only those: the fixtures folder is written
/// `FIXTURES`, the test's temporary folder `TMP`.
enum Golden {
    static let createdAt = "2026-01-02T03:04:05Z"
    static let createdText = "2026-01-02 03:04:05"
    static let environment: [String: String?] = ["REGISTRY_CREATED_AT": createdAt, "TZ": "UTC"]

    static func normalised(_ text: String, _ cli: CLI) -> String {
        text.replacingOccurrences(of: cli.tmp.path, with: "TMP").replacingOccurrences(of: Fixtures.root, with: "FIXTURES")
    }
}

/// Runs `registry ARGS…` (with `Golden.environment`) and expects exactly `stdout`, `stderr`
/// and `status`.
func expectExecute(_ cli: CLI, _ arguments: [String], stdout: String, stderr: String = "", status: Int32 = 0,
                   sourceLocation: SourceLocation = #_sourceLocation) throws {
    let result = try cli.run(arguments, environment: Golden.environment)
    let out = Golden.normalised(result.out, cli), err = Golden.normalised(result.stderr, cli)
    let expected = stdout.isEmpty ? "" : stdout + "\n"
    #expect(result.status == status, "registry \(arguments.joined(separator: " ")): exit \(result.status)\n\(err)", sourceLocation: sourceLocation)
    #expect(out == expected, "registry \(arguments.joined(separator: " ")) printed:\n\(out)\(lineDifference(out, expected))",
            sourceLocation: sourceLocation)
    #expect(err == (stderr.isEmpty ? "" : stderr + "\n"), "registry \(arguments.joined(separator: " ")) stderr:\n\(err)", sourceLocation: sourceLocation)
}

/// The first line where two texts differ, for failure messages.
func lineDifference(_ actual: String, _ expected: String) -> String {
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false), e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    for index in 0..<max(a.count, e.count) where (index < a.count ? a[index] : nil) != (index < e.count ? e[index] : nil) {
        return "\nfirst difference at line \(index + 1):\n  got      \(index < a.count ? String(a[index]) : "<none>")\n  expected \(index < e.count ? String(e[index]) : "<none>")"
    }
    return ""
}

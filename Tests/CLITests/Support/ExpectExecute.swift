import Foundation
import Testing
import TestSupport

/// The whole text and exit status of a command, as swift-argument-parser's
/// `AssertExecuteCommand` checks them: stdout and stderr compared in full, line by line in the
/// failure message. Times are not normalised but fixed: `REGISTRY_CREATED_AT` records every
/// new version at `Golden.createdAt` and `TZ=UTC` prints it as `Golden.createdText`. What
/// depends on the machine is normalised, and only that: the fixtures folder is written
/// `FIXTURES`, the test's temporary folder `TMP`, the provenance's `user@host` `USER@HOST`
/// (version digests, which cover them, are replaced by the caller with what `--json` says).
enum Golden {
    static let createdAt = "2026-01-02T03:04:05Z"
    static let createdText = "2026-01-02 03:04:05"
    static let environment: [String: String?] = ["REGISTRY_CREATED_AT": createdAt, "TZ": "UTC"]

    /// `user@host` as `show` prints who made a version here.
    static var author: String {
        let user = getpwuid(geteuid()).flatMap { $0.pointee.pw_name.map { String(cString: $0) } } ?? ProcessInfo.processInfo.environment["USER"] ?? "?"
        return user + "@" + ProcessInfo.processInfo.hostName
    }

    static func normalised(_ text: String, _ cli: CLI, replacing: [String: String] = [:]) -> String {
        var text = text.replacingOccurrences(of: cli.tmp.path, with: "TMP").replacingOccurrences(of: Fixtures.root, with: "FIXTURES")
            .replacingOccurrences(of: "made by: \(author) ", with: "made by: USER@HOST ")
        for (actual, placeholder) in replacing { text = text.replacingOccurrences(of: actual, with: placeholder) }
        return text
    }
}

/// Runs `registry ARGS…` (with `Golden.environment`) and expects exactly `stdout`, `stderr`
/// and `status`.
/// `replacing` maps further machine-dependent text (a version digest) to its placeholder.
func expectExecute(_ cli: CLI, _ arguments: [String], stdout: String, stderr: String = "", status: Int32 = 0,
                   replacing: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws {
    let result = try cli.run(arguments, environment: Golden.environment)
    let out = Golden.normalised(result.out, cli, replacing: replacing), err = Golden.normalised(result.stderr, cli, replacing: replacing)
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

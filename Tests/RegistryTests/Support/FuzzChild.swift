import Foundation
import Testing

/// Runs a memory-bounded check in a child process of its own (a Swift Testing exit test), so
/// that the peak RSS it reads is its own: in the test process it counted every test running
/// beside it. The child returns its problems as text, which the parent records.
enum FuzzChild {
    /// In the child: runs `body`; any problem (or a thrown error) goes to stderr and the child
    /// exits 1. Returning is success.
    static func run(_ body: () throws -> [String]) {
        let problems: [String]
        do {
            problems = try body()
        } catch {
            problems = ["threw \(type(of: error)): \(error)"]
        }
        guard !problems.isEmpty else { return }
        FileHandle.standardError.write(Data((problems.joined(separator: "\n") + "\n").utf8))
        exit(1)
    }

    /// The messages of the checks that failed.
    static func require(_ checks: [(Bool, String)]) -> [String] {
        checks.filter { !$0.0 }.map(\.1)
    }

    /// In the parent: passes the child's summary lines on and records each problem it wrote.
    static func report(_ result: ExitTest.Result?, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let result else { return }
        let out = String(decoding: result.standardOutputContent, as: UTF8.self)
        if !out.isEmpty { print(out, terminator: out.hasSuffix("\n") ? "" : "\n") }
        guard result.exitStatus != .exitCode(0) else { return }
        let problems = String(decoding: result.standardErrorContent, as: UTF8.self)
        Issue.record("the child ended with \(result.exitStatus):\n\(problems.suffix(6000))", sourceLocation: sourceLocation)
    }
}

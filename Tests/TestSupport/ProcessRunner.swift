import Foundation

/// What a finished child process left behind.
public struct ProcessResult: CustomStringConvertible, Sendable {
    public var status: Int32
    public var stdout: Data
    public var stderr: String

    /// stdout as text.
    public var out: String { String(decoding: stdout, as: UTF8.self) }

    /// stdout parsed as JSON.
    public func json() throws -> Any { try JSONSerialization.jsonObject(with: stdout) }

    /// The status and the starts of both streams.
    public var description: String { "exit \(status)\nstdout: \(out.prefix(4000))\nstderr: \(stderr.prefix(4000))" }

    /// The status and the ends of both streams (where Python puts its traceback).
    public var summary: String { "exit \(status)\nstdout: \(out.suffix(2000))\nstderr: \(stderr.suffix(3000))" }
}

/// A started child process whose stdout and stderr go to temporary files (so that neither
/// pipe can fill up and block it), with no standard input and TensorFlow's logs quietened.
public final class RunningProcess {
    private let process = Process()
    private let scratch: URL
    private let out: FileHandle, err: FileHandle

    /// `environment` is laid over this process's own: a nil value removes the variable;
    /// `directory` is the child's working folder (this process's when nil).
    public init(_ executable: String, _ arguments: [String], environment overrides: [String: String?] = [:],
                directory: String? = nil) throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("registry-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        out = try FileHandle(forWritingTo: outURL)
        err = try FileHandle(forWritingTo: errURL)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["TF_CPP_MIN_LOG_LEVEL"] = "2"
        for (key, value) in overrides { environment[key] = value }
        process.environment = environment
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        try process.run()
    }

    /// Waits for the process to end and collects what it wrote.
    public func wait() throws -> ProcessResult {
        process.waitUntilExit()
        try out.close()
        try err.close()
        defer { try? FileManager.default.removeItem(at: scratch) }
        return ProcessResult(status: process.terminationStatus,
                             stdout: (try? Data(contentsOf: scratch.appendingPathComponent("stdout"))) ?? Data(),
                             stderr: String(decoding: (try? Data(contentsOf: scratch.appendingPathComponent("stderr"))) ?? Data(),
                                            as: UTF8.self))
    }
}

/// Runs a program to completion (see `RunningProcess`).
public func runProcess(_ executable: String, _ arguments: [String], environment: [String: String?] = [:],
                       directory: String? = nil) throws -> ProcessResult {
    try RunningProcess(executable, arguments, environment: environment, directory: directory).wait()
}

/// Several programs at once (TensorFlow's start-up dominates; running them side by side keeps
/// the suites fast). Results in the order given.
public func runProcesses(_ commands: [(executable: String, arguments: [String])]) throws -> [ProcessResult] {
    let running = try commands.map { try RunningProcess($0.executable, $0.arguments) }
    return try running.map { try $0.wait() }
}

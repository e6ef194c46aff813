import Foundation
import Testing
import TestSupport

/// The `registry` executable SwiftPM built beside this test bundle (or `$REGISTRY_BINARY`).
enum RegistryBinary {
    static let path: String? = {
        if let override = ProcessInfo.processInfo.environment["REGISTRY_BINARY"] { return override }
        var candidates: [String] = []
        if let executable = Bundle.main.executableURL {
            // .build/<triple>/debug/registryPackageTests.xctest (a file on Linux, a bundle on macOS)
            var folder = executable.deletingLastPathComponent()
            for _ in 0..<4 {
                candidates.append(folder.appendingPathComponent("registry").path)
                folder = folder.deletingLastPathComponent()
            }
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("registry").path)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("registry").path)
        candidates.append(packageRoot.appendingPathComponent(".build/debug/registry").path)
        return candidates.first { path in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && !isFolder.boolValue
                && FileManager.default.isExecutableFile(atPath: path)
        }
    }()

    /// What the binary runs with besides this process's environment: no progress output and
    /// no registry but the one given on the command line.
    static let environment: [String: String?] = ["REGISTRY_NO_PROGRESS": "1", "REGISTRY_PATH": nil]
}

/// A registry database in a temporary folder, driven through the `registry` binary.
struct CLI {
    let tmp: TemporaryDirectory
    let database: String

    init() throws {
        tmp = try TemporaryDirectory(label: "registry-cli-tests")
        database = tmp.path + "/reg/registry.db"
    }

    func cleanup() { tmp.cleanup() }

    /// `registry VERB --registry DB ARGS…` (`inspect` takes no registry).
    @discardableResult
    func run(_ arguments: String...) throws -> ProcessResult { try run(arguments) }

    /// `environment` is laid over the driver's own.
    @discardableResult
    func run(_ arguments: [String], environment: [String: String?] = [:]) throws -> ProcessResult {
        guard let binary = RegistryBinary.path else {
            throw TestFailure("the registry binary was not found beside the test bundle; set REGISTRY_BINARY")
        }
        var full = arguments
        if let verb = arguments.first, verb != "inspect" { full.insert(contentsOf: ["--registry", database], at: 1) }
        return try runProcess(binary, full, environment: RegistryBinary.environment.merging(environment) { $1 })
    }

    /// Runs and requires exit status 0.
    @discardableResult
    func ok(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
        let result = try run(arguments)
        try #require(result.status == 0, "registry \(arguments.joined(separator: " ")): \(result)", sourceLocation: sourceLocation)
        return result
    }

    /// `registry ARGS…` as a user types it: no `--registry` added, run in `directory`, with
    /// `environment` laid over the driver's own (no `REGISTRY_PATH`, no progress bar).
    func bare(_ arguments: [String], in directory: String, environment: [String: String?] = [:]) throws -> ProcessResult {
        guard let binary = RegistryBinary.path else {
            throw TestFailure("the registry binary was not found beside the test bundle; set REGISTRY_BINARY")
        }
        return try runProcess(binary, arguments, environment: RegistryBinary.environment.merging(environment) { $1 }, directory: directory)
    }

    /// Runs with `--json`, requires exit 0 and decodes stdout as `T` (the library's own result types).
    func decode<T: Decodable>(_ type: T.Type, _ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
        let result = try run(arguments + ["--json"])
        try #require(result.status == 0, "registry \(arguments.joined(separator: " ")) --json: \(result)", sourceLocation: sourceLocation)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: result.stdout)
    }

    /// Runs with `--json` and requires exit 0 and JSON output.
    func json(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
        let result = try run(arguments + ["--json"])
        try #require(result.status == 0, "registry \(arguments.joined(separator: " ")) --json: \(result)", sourceLocation: sourceLocation)
        return try result.json()
    }
}

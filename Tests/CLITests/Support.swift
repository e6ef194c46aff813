import Foundation
import Testing

/// Helpers for driving the `registry` binary: copies of the few RegistryTests support
/// pieces these tests need (a separate test target cannot share them).

/// The package root: three levels up from this file (Tests/CLITests/Support.swift).
let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The TensorFlow-written corpus in `../shared/fixtures/tf2.21` and its MANIFEST.json.
enum Fixtures {
    static let root: String = {
        if let path = ProcessInfo.processInfo.environment["REGISTRY_FIXTURES"] { return path }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/tf2.21").path
    }()

    static func path(_ relative: String) -> String { root + "/" + relative }

    nonisolated(unsafe) static let manifest: [String: Any] = {
        let data = FileManager.default.contents(atPath: path("MANIFEST.json")) ?? Data()
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }()

    static var cases: [String: [String: Any]] { manifest["cases"] as? [String: [String: Any]] ?? [:] }

    /// SavedModel cases (those with `tag_sets`), by name.
    static var savedModelCases: [String] { cases.filter { $0.value["tag_sets"] != nil }.keys.sorted() }

    /// The case's folder (the manifest's `path`, else its name).
    static func casePath(_ name: String) -> String { path(cases[name]?["path"] as? String ?? name) }
}

/// A fresh folder under the system's temporary directory, removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("registry-cli-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    func cleanup() {
        // Copies of read-only fixtures keep their modes; make them writable so they can go.
        if let walker = FileManager.default.enumerator(atPath: path) {
            for case let relative as String in walker {
                try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path + "/" + relative)
            }
        }
        try? FileManager.default.removeItem(atPath: path)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func fileBytes(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else { throw TestFailure("could not read \(path)") }
    return [UInt8](data)
}

func fileSize(_ path: String) -> Int64 {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? -1
}

/// Every file and every folder (empty ones included) below `root`, relative and sorted.
struct Tree: Equatable, CustomStringConvertible {
    var files: [String] = []
    var folders: [String] = []

    init(_ root: String) throws {
        let rootURL = URL(fileURLWithPath: root)
        guard let walker = FileManager.default.enumerator(at: rootURL, includingPropertiesForKeys: [.isDirectoryKey, .isSymbolicLinkKey]) else {
            throw TestFailure("cannot list \(root)")
        }
        let prefix = rootURL.standardizedFileURL.resolvingSymlinksInPath().path + "/"
        for case let url as URL in walker {
            let values = try url.resourceValues(forKeys: [.isDirectoryKey, .isSymbolicLinkKey])
            let full = url.standardizedFileURL.resolvingSymlinksInPath().path
            guard full.hasPrefix(prefix) else { throw TestFailure("\(full) is not below \(prefix)") }
            let relative = String(full.dropFirst(prefix.count))
            if values.isDirectory == true { folders.append(relative) } else { files.append(relative) }
        }
        files.sort()
        folders.sort()
    }

    var description: String { "files \(files), folders \(folders)" }
}

/// Copies a (possibly read-only) folder and makes the copy writable.
func writableCopy(of source: String, to target: String) throws {
    try FileManager.default.copyItem(atPath: source, toPath: target)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target)
    if let walker = FileManager.default.enumerator(atPath: target) {
        for case let relative as String in walker {
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: target + "/" + relative, isDirectory: &isFolder)
            try FileManager.default.setAttributes([.posixPermissions: isFolder.boolValue ? 0o755 : 0o644], ofItemAtPath: target + "/" + relative)
        }
    }
}

/// What a finished child process left behind.
struct ProcessResult: CustomStringConvertible {
    var status: Int32
    var stdout: Data
    var stderr: String

    var out: String { String(decoding: stdout, as: UTF8.self) }

    /// stdout parsed as JSON.
    func json() throws -> Any { try JSONSerialization.jsonObject(with: stdout) }

    var description: String { "exit \(status)\nstdout: \(out.prefix(4000))\nstderr: \(stderr.prefix(4000))" }
}

/// Runs a program to completion with stdout and stderr going to temporary files (so
/// that neither pipe can fill up and block the child).
func runProcess(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:]) throws -> ProcessResult {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("registry-cli-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let outHandle = try FileHandle(forWritingTo: outURL), errHandle = try FileHandle(forWritingTo: errURL)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["REGISTRY_NO_PROGRESS"] = "1"
    environment["TF_CPP_MIN_LOG_LEVEL"] = "2"
    environment.removeValue(forKey: "REGISTRY_PATH")
    for (key, value) in extra { environment[key] = value }
    process.environment = environment
    process.standardOutput = outHandle
    process.standardError = errHandle
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()
    return ProcessResult(status: process.terminationStatus, stdout: (try? Data(contentsOf: outURL)) ?? Data(),
                         stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
}

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
}

/// A registry database in a temporary folder, driven through the `registry` binary.
struct CLI {
    let tmp: TemporaryDirectory
    let database: String

    init() throws {
        tmp = try TemporaryDirectory()
        database = tmp.path + "/reg/registry.db"
    }

    func cleanup() { tmp.cleanup() }

    /// `registry VERB --registry DB ARGS…` (`inspect` takes no registry).
    @discardableResult
    func run(_ arguments: String...) throws -> ProcessResult { try run(arguments) }

    @discardableResult
    func run(_ arguments: [String]) throws -> ProcessResult {
        guard let binary = RegistryBinary.path else {
            throw TestFailure("the registry binary was not found beside the test bundle; set REGISTRY_BINARY")
        }
        var full = arguments
        if let verb = arguments.first, verb != "inspect" { full.insert(contentsOf: ["--registry", database], at: 1) }
        return try runProcess(binary, full)
    }

    /// Runs and requires exit status 0.
    @discardableResult
    func ok(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
        let result = try run(arguments)
        try #require(result.status == 0, "registry \(arguments.joined(separator: " ")): \(result)", sourceLocation: sourceLocation)
        return result
    }

    /// Runs with `--json` and requires exit 0 and JSON output.
    func json(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
        let result = try run(arguments + ["--json"])
        try #require(result.status == 0, "registry \(arguments.joined(separator: " ")) --json: \(result)", sourceLocation: sourceLocation)
        return try result.json()
    }
}

/// Runs `../shared/tools/tfcheck.py` with the TensorFlow venv in `REGISTRY_TF_PYTHON`.
enum TensorFlowOracle {
    static let python: String? = {
        guard let path = ProcessInfo.processInfo.environment["REGISTRY_TF_PYTHON"], FileManager.default.isExecutableFile(atPath: path) else {
            return nil
        }
        return path
    }()

    static var required: Bool { ProcessInfo.processInfo.environment["REGISTRY_REQUIRE_TF"] == "1" }

    /// True when tests that need TensorFlow should run (they then fail if it is missing).
    static var enabled: Bool { python != nil || required }

    static var tool: String {
        URL(fileURLWithPath: Fixtures.root).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("tools/tfcheck.py").path
    }

    static func run(_ arguments: [String]) throws -> ProcessResult {
        guard let python else {
            throw TestFailure("REGISTRY_TF_PYTHON is not set or not executable; run the tests through `make test`")
        }
        return try runProcess(python, [tool] + arguments)
    }

    /// Runs a Python snippet with the venv's interpreter (numpy is there).
    static func python(_ source: String, _ arguments: [String]) throws -> ProcessResult {
        guard let python else { throw TestFailure("REGISTRY_TF_PYTHON is not set or not executable") }
        return try runProcess(python, ["-c", source] + arguments)
    }
}

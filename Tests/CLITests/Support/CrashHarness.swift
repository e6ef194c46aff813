import Crypto
import Foundation
import Registry
import RegistryFormat
import TestSupport

/// What CrashSafetyTests needs beyond CLIDriver: a `registry` child that can be SIGKILLed at
/// a chosen moment, a generated multi-file SavedModel big enough to be interrupted at many
/// points, and folder digests to compare pulled folders with their sources.

/// The files (path → sha256) and folders of a folder tree.
struct FolderDigest: Equatable, CustomStringConvertible {
    var files: [String: String]
    var folders: [String]

    init(_ root: String) throws {
        let tree = try Tree(root)
        folders = tree.folders
        files = [:]
        for path in tree.files {
            guard let data = FileManager.default.contents(atPath: root + "/" + path) else {
                throw TestFailure("could not read \(root)/\(path)")
            }
            files[path] = lowercaseHex(SHA256.hash(data: data))
        }
    }

    var description: String { "\(files.count) files, \(folders.count) folders" }

    /// What differs from `other`, for failure messages.
    func difference(from other: FolderDigest) -> String {
        var out: [String] = []
        for path in Set(files.keys).union(other.files.keys).sorted() where files[path] != other.files[path] {
            out.append("\(path): \(files[path].map { String($0.prefix(12)) } ?? "missing") vs \(other.files[path].map { String($0.prefix(12)) } ?? "missing")")
        }
        if folders != other.folders { out.append("folders \(folders) vs \(other.folders)") }
        return out.prefix(6).joined(separator: "; ")
    }
}

/// A generated SavedModel: `saved_model.pb` and `fingerprint.pb` copied from the
/// `large_weights` fixture (the registry does not check the graph against the variables),
/// a bundle of many float32 tensors of assorted sizes plus a string tensor, asset files
/// and an empty folder. Variant `v` changes every other tensor and some assets (new bytes
/// each variant, so each push stores new chunks) and keeps the rest (so each push also
/// deduplicates against what earlier variants stored).
struct SyntheticModel {
    let totalBytes: Int
    private let base: [UInt8]
    private let tensorSizes: [Int]
    private let graph: [UInt8]
    private let fingerprint: [UInt8]

    /// The tensors' payload sizes cycle through these (all multiples of 4).
    private static let sizePattern = [3 << 20, (1 << 20) + 4096, 256 << 10, (5 << 19) + 12, 64 << 10, 7 << 18, 12, 1 << 20]

    init(megabytes: Int, seed: UInt64) throws {
        totalBytes = megabytes << 20
        var sizes: [Int] = []
        var sum = 0
        var k = 0
        while sum < totalBytes {
            let size = min(Self.sizePattern[k % Self.sizePattern.count], totalBytes - sum)
            sizes.append(size)
            sum += size
            k += 1
        }
        tensorSizes = sizes
        // Random float32 in ±[0.5, 1): random sign and mantissa, fixed exponent (LZ4 gains little).
        var generator = SplitMix64(seed: seed)
        var words = [UInt32](repeating: 0, count: totalBytes / 4)
        words.withUnsafeMutableBufferPointer { buffer in
            var i = 0
            while i + 1 < buffer.count {
                let r = generator.next()
                buffer[i] = 0x3F00_0000 | (UInt32(truncatingIfNeeded: r) & 0x807F_FFFF)
                buffer[i + 1] = 0x3F00_0000 | (UInt32(truncatingIfNeeded: r >> 32) & 0x807F_FFFF)
                i += 2
            }
            if i < buffer.count { buffer[i] = 0x3F00_0000 | (UInt32(truncatingIfNeeded: generator.next()) & 0x807F_FFFF) }
        }
        base = words.withUnsafeBytes { Array($0) }
        graph = try fileBytes(Fixtures.casePath("large_weights") + "/saved_model.pb")
        fingerprint = try fileBytes(Fixtures.casePath("large_weights") + "/fingerprint.pb")
    }

    var tensorCount: Int { tensorSizes.count + 1 }
    var floatBytes: Int { tensorSizes.reduce(0, +) }

    /// `count` bytes of the random pool from `start`, wrapping around.
    private func pool(_ start: Int, _ count: Int) -> [UInt8] {
        let from = start % base.count
        if from + count <= base.count { return Array(base[from..<(from + count)]) }
        return Array(base[from...]) + Array(base[0..<(count - (base.count - from))])
    }

    /// Where variant `v`'s changing item `item` starts in the pool (4-byte aligned).
    private func shifted(_ start: Int, variant: Int, item: Int) -> Int {
        start + 4 * (variant + 1) * 1_000_003 + 4 * item * 7919
    }

    /// Writes variant `variant` as a fresh folder at `folder` (removing what was there).
    func write(variant: Int, to folder: String) throws {
        if FileManager.default.fileExists(atPath: folder) { try FileManager.default.removeItem(atPath: folder) }
        for sub in ["variables", "assets", "assets.extra/empty"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true)
        }
        try Data(graph).write(to: URL(fileURLWithPath: folder + "/saved_model.pb"))
        try Data(fingerprint).write(to: URL(fileURLWithPath: folder + "/fingerprint.pb"))
        let writer = try BundleWriter(prefix: folder + "/variables/variables")
        var offset = 0
        for (t, size) in tensorSizes.enumerated() {
            let start = t % 2 == 0 ? shifted(offset, variant: variant, item: t) : offset
            try writer.add(key: Array(String(format: "layer_%03d/kernel/.ATTRIBUTES/VARIABLE_VALUE", t).utf8), dtype: .float32,
                           shape: [Int64(size / 4)], bytes: pool(start, size))
            offset += size
        }
        try writer.add(key: Array("_CHECKPOINTABLE_OBJECT_GRAPH".utf8), shape: [],
                       strings: [Array(String(format: "synthetic model, variant %08d", variant).utf8)])
        try writer.finish()
        try Data(String(format: "[PAD]\n[UNK]\nvariant-%08d\n", variant).utf8).write(to: URL(fileURLWithPath: folder + "/assets/vocab.txt"))
        for (k, size) in [300 << 10, 1_500_000, 77, 2 << 20].enumerated() {
            let start = k % 2 == 0 ? shifted(17 * k, variant: variant, item: 1000 + k) : 17 * k
            try Data(pool(start, size)).write(to: URL(fileURLWithPath: folder + "/assets.extra/blob_\(k).bin"))
        }
    }
}

/// A `registry` child process that can be killed: stdout and stderr go to files in a
/// scratch folder, standard input is empty.
final class KillableChild {
    enum Outcome: Equatable {
        /// Ended on its own before the signal was sent.
        case exited(Int32)
        /// Ended by the signal.
        case killed
    }

    private let process = Process()
    private let scratch: URL
    private var waited = false
    let started: UInt64

    init(_ arguments: [String]) throws {
        guard let binary = RegistryBinary.path else {
            throw TestFailure("the registry binary was not found beside the test bundle; set REGISTRY_BINARY")
        }
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("registry-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let out = scratch.appendingPathComponent("stdout"), err = scratch.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in RegistryBinary.environment { environment[key] = value }
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        started = DispatchTime.now().uptimeNanoseconds
        try process.run()
    }

    deinit {
        if !waited, process.isRunning {
            sigkill(process.processIdentifier)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Sleeps until `delay` seconds after the start, then sends SIGKILL (if still running) and waits.
    func kill(after delay: Double) -> Outcome {
        let target = started + UInt64(max(0, delay) * 1e9)
        let now = DispatchTime.now().uptimeNanoseconds
        if target > now { usleep(useconds_t((target - now) / 1000)) }
        if process.isRunning { sigkill(process.processIdentifier) }
        return wait()
    }

    /// Waits for the end; the seconds since the start.
    func wait() -> Outcome {
        process.waitUntilExit()
        waited = true
        if process.terminationReason == .uncaughtSignal { return .killed }
        return .exited(process.terminationStatus)
    }

    var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }

    var stderr: String {
        String(decoding: (try? Data(contentsOf: scratch.appendingPathComponent("stderr"))) ?? Data(), as: UTF8.self)
    }

    var stdout: String {
        String(decoding: (try? Data(contentsOf: scratch.appendingPathComponent("stdout"))) ?? Data(), as: UTF8.self)
    }

    /// Sends `signal` (SIGTERM, SIGINT) if the child still runs.
    func send(_ signal: Int32) {
        if process.isRunning { sendSignal(signal, to: process.processIdentifier) }
    }
}

/// SIGKILL to `pid` (a free function, so that `kill` is the system call, not the method).
private func sigkill(_ pid: Int32) { _ = kill(pid, SIGKILL) }

/// `signal` to `pid` (a free function, as `sigkill`).
private func sendSignal(_ signal: Int32, to pid: Int32) { _ = kill(pid, signal) }

/// The arguments `CLI.run` would pass: the verb, `--registry DB`, the rest.
func registryArguments(_ database: String, _ verb: String, _ rest: [String]) -> [String] {
    [verb, "--registry", database] + rest
}

/// Runs a `registry` command to completion and returns the wall-clock seconds it took.
func timedRun(_ arguments: [String]) throws -> (seconds: Double, outcome: KillableChild.Outcome, stderr: String) {
    let child = try KillableChild(arguments)
    let outcome = child.wait()
    return (child.elapsed, outcome, child.stderr)
}

/// The seed of the kill delays: `$REGISTRY_SOAK_SEED`, else a fixed one.
var crashSeed: UInt64 {
    ProcessInfo.processInfo.environment["REGISTRY_SOAK_SEED"].flatMap(UInt64.init) ?? 20_261_125
}

/// `REGISTRY_SOAK=1`: the long form.
var soak: Bool { ProcessInfo.processInfo.environment["REGISTRY_SOAK"] == "1" }

/// Megabytes of float32 in the generated model: `$REGISTRY_SOAK_MIB`, else 96 (long) or 24 (short).
var syntheticMegabytes: Int {
    ProcessInfo.processInfo.environment["REGISTRY_SOAK_MIB"].flatMap(Int.init) ?? (soak ? 96 : 24)
}

/// Collects failures without stopping the trials, and prints each as it happens.
final class FailureLog {
    let kind: String
    private(set) var messages: [String] = []
    init(_ kind: String) { self.kind = kind }

    func fail(_ trial: Int, _ message: String) {
        let line = "[\(kind) trial \(trial)] \(message)"
        print("CrashSafety FAILURE " + line)
        messages.append(line)
    }

    func check(_ condition: Bool, _ trial: Int, _ message: @autoclosure () -> String) {
        if !condition { fail(trial, message()) }
    }
}

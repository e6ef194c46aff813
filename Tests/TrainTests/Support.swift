import Foundation
import Registry
import Testing
@testable import Train

/// The TensorFlow-written corpus (`../shared/fixtures/tf2.21`, or `$REGISTRY_FIXTURES`).
enum TrainFixtures {
    static let root: String = {
        if let path = ProcessInfo.processInfo.environment["REGISTRY_FIXTURES"] { return path }
        // Tests/TrainTests/Support.swift → the package directory.
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return package.deletingLastPathComponent().appendingPathComponent("shared/fixtures/tf2.21").path
    }()

    /// The `seed_mlp_training` SavedModel: the notebook trained 5 epochs (global step 250).
    static var seedTraining: String { root + "/seed_mlp_training" }
    static var seedTrainingData: String { seedTraining + "/assets.extra/training_data.npz" }
    static var seedTrainingVariables: String { seedTraining + "/variables/variables" }

    /// `training_data.npz`: inputs, labels, step_loss, epoch_accuracy.
    static func trainingData() throws -> [String: NPYArray] { try NPZ.read(path: seedTrainingData) }

    /// The notebook's data as the fixture stores it.
    static func dataset() throws -> Dataset {
        let npz = try trainingData()
        guard let inputs = npz["inputs"], let labels = npz["labels"], inputs.shape.count == 2 else {
            throw SupportError("training_data.npz lacks inputs/labels")
        }
        return Dataset(inputs: try inputs.floats(), features: inputs.shape[1], labels: try labels.int32s())
    }

    /// Every tensor of the fixture's variables bundle, by key.
    static func tensors() throws -> [String: NamedTensor] {
        let reader = try BundleReader(prefix: seedTrainingVariables)
        var out: [String: NamedTensor] = [:]
        for entry in reader.index.entries where !entry.isSliceKey {
            guard let name = entry.name else { continue }
            out[name] = NamedTensor(name: name, dtype: entry.dtype, shape: entry.shape, bytes: try reader.read(entry))
        }
        return out
    }
}

struct SupportError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One array of an `.npy` file: its dtype string (`<f4`, `<i4`, `<f8`, `<i8`), shape and
/// raw little-endian C-order bytes.
struct NPYArray {
    var descr: String
    var shape: [Int]
    var data: [UInt8]

    var count: Int { shape.reduce(1, *) }

    func floats() throws -> [Float] {
        guard descr == "<f4" else { throw SupportError("npy dtype \(descr), wanted <f4") }
        return (0..<count).map { Float(bitPattern: word32(at: 4 * $0)) }
    }

    func doubles() throws -> [Double] {
        guard descr == "<f8" else { throw SupportError("npy dtype \(descr), wanted <f8") }
        return (0..<count).map { Double(bitPattern: word64(at: 8 * $0)) }
    }

    func int32s() throws -> [Int32] {
        guard descr == "<i4" else { throw SupportError("npy dtype \(descr), wanted <i4") }
        return (0..<count).map { Int32(bitPattern: word32(at: 4 * $0)) }
    }

    func int64s() throws -> [Int64] {
        guard descr == "<i8" else { throw SupportError("npy dtype \(descr), wanted <i8") }
        return (0..<count).map { Int64(bitPattern: word64(at: 8 * $0)) }
    }

    private func word32(at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(data[offset + $1]) << (8 * UInt32($1)) }
    }

    private func word64(at offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(data[offset + $1]) << (8 * UInt64($1)) }
    }

    /// Parses an `.npy` file (format versions 1–3): magic, version, header length, the
    /// header dict (`descr`, `fortran_order`, `shape`), then the data.
    static func parse(_ bytes: [UInt8]) throws -> NPYArray {
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw SupportError("not an .npy file")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        if major == 1 {
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        } else {
            guard bytes.count >= 12 else { throw SupportError("truncated .npy header") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        }
        guard headerStart + headerLength <= bytes.count else { throw SupportError("truncated .npy header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = value(of: "descr", in: header)?.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")),
              let fortran = value(of: "fortran_order", in: header),
              let shapeText = value(of: "shape", in: header) else {
            throw SupportError("bad .npy header: \(header)")
        }
        guard fortran == "False" else { throw SupportError(".npy in Fortran order is not supported") }
        let shape = try shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "()"))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { text -> Int in
                guard let n = Int(text) else { throw SupportError("bad .npy shape \(shapeText)") }
                return n
            }
        let itemSize: Int
        switch descr {
        case "<f4", "<i4": itemSize = 4
        case "<f8", "<i8": itemSize = 8
        default: throw SupportError(".npy dtype \(descr) is not supported")
        }
        let dataStart = headerStart + headerLength
        let byteCount = shape.reduce(1, *) * itemSize
        guard dataStart + byteCount <= bytes.count else { throw SupportError("truncated .npy data") }
        return NPYArray(descr: descr, shape: shape, data: Array(bytes[dataStart..<(dataStart + byteCount)]))
    }

    /// The text of `'key': VALUE` in a Python dict literal, VALUE ending at the next
    /// top-level comma (tuples kept whole).
    private static func value(of key: String, in header: String) -> String? {
        guard let range = header.range(of: "'\(key)':") else { return nil }
        var depth = 0
        var out = ""
        for character in header[range.upperBound...] {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if (character == "," || character == "}") && depth == 0 { break }
            out.append(character)
        }
        return out.trimmingCharacters(in: .whitespaces)
    }
}

/// A reader for `np.savez` files: a zip of stored (uncompressed) `.npy` entries. numpy
/// always forces zip64 for them, so the local headers' 32-bit sizes are 0xFFFFFFFF and the
/// real sizes are in the zip64 extra field (id 0x0001).
enum NPZ {
    static func read(path: String) throws -> [String: NPYArray] {
        guard let data = FileManager.default.contents(atPath: path) else { throw SupportError("cannot read \(path)") }
        return try parse([UInt8](data))
    }

    static func parse(_ bytes: [UInt8]) throws -> [String: NPYArray] {
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> UInt64 { (0..<4).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) } }
        func u64(_ at: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) } }
        var arrays: [String: NPYArray] = [:]
        var offset = 0
        while offset + 30 <= bytes.count, u32(offset) == 0x0403_4B50 {
            let flags = u16(offset + 6), method = u16(offset + 8)
            var compressed = u32(offset + 18), uncompressed = u32(offset + 22)
            let nameLength = u16(offset + 26), extraLength = u16(offset + 28)
            let nameStart = offset + 30, extraStart = nameStart + nameLength, dataStart = extraStart + extraLength
            guard dataStart <= bytes.count else { throw SupportError("truncated zip header") }
            let name = String(decoding: bytes[nameStart..<extraStart], as: UTF8.self)
            guard method == 0 else { throw SupportError("\(name): zip method \(method); only stored entries are supported") }
            guard flags & 0x8 == 0 else { throw SupportError("\(name): zip data descriptors are not supported") }
            if compressed == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF {
                // zip64 extra field: uncompressed size, then compressed size (each only if flagged).
                var at = extraStart
                var found = false
                while at + 4 <= dataStart {
                    let id = u16(at), size = u16(at + 2)
                    if id == 0x0001 {
                        var field = at + 4
                        if uncompressed == 0xFFFF_FFFF { uncompressed = u64(field); field += 8 }
                        if compressed == 0xFFFF_FFFF { compressed = u64(field) }
                        found = true
                    }
                    at += 4 + size
                }
                guard found else { throw SupportError("\(name): zip64 sizes without a zip64 extra field") }
            }
            let end = dataStart + Int(compressed)
            guard end <= bytes.count, compressed == uncompressed else { throw SupportError("\(name): bad entry size") }
            let key = name.hasSuffix(".npy") ? String(name.dropLast(4)) : name
            arrays[key] = try NPYArray.parse(Array(bytes[dataStart..<end]))
            offset = end
        }
        guard !arrays.isEmpty else { throw SupportError("no entries in npz") }
        return arrays
    }
}

/// The bytes of a state's tensors, by name (for bit-exact comparisons).
func tensorBytes(_ state: TrainingState) -> [String: [UInt8]] {
    Dictionary(uniqueKeysWithValues: state.tensors().map { ($0.name, $0.bytes) })
}

/// Real TensorFlow, reached through a Python venv (`$REGISTRY_TF_PYTHON`, TF 2.21). Tests that
/// need it are enabled when that variable is set or `REGISTRY_REQUIRE_TF=1`; in the second
/// case a missing or unusable python makes them fail rather than skip.
enum TensorFlow {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The venv's python; throws (failing the test) when it is not configured or not there.
    static func python() throws -> String {
        guard let python = environment["REGISTRY_TF_PYTHON"], !python.isEmpty else {
            throw SupportError("REGISTRY_REQUIRE_TF=1 but REGISTRY_TF_PYTHON is not set (point it at a TF 2.21 venv's python)")
        }
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw SupportError("REGISTRY_TF_PYTHON=\(python) is not an executable file")
        }
        return python
    }

    /// `../shared/tools/tfcheck.py`, next to the fixtures.
    static var tfcheck: String {
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return package.deletingLastPathComponent().appendingPathComponent("shared/tools/tfcheck.py").path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// For failure messages: the status and the ends of both streams.
        var summary: String { "exit \(status)\nstdout: \(stdout.suffix(2000))\nstderr: \(stderr.suffix(3000))" }
    }

    /// A started process whose output goes to files (no pipe deadlocks).
    final class Running {
        let process = Process()
        let outURL: URL, errURL: URL
        let out: FileHandle, err: FileHandle

        init(_ executable: String, _ arguments: [String]) throws {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("traintests-\(UUID().uuidString)")
            outURL = scratch.appendingPathExtension("out")
            errURL = scratch.appendingPathExtension("err")
            FileManager.default.createFile(atPath: outURL.path, contents: nil)
            FileManager.default.createFile(atPath: errURL.path, contents: nil)
            out = try FileHandle(forWritingTo: outURL)
            err = try FileHandle(forWritingTo: errURL)
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            var environment = ProcessInfo.processInfo.environment
            environment["TF_CPP_MIN_LOG_LEVEL"] = "2"
            process.environment = environment
            process.standardOutput = out
            process.standardError = err
            try process.run()
        }

        func wait() throws -> Result {
            process.waitUntilExit()
            try out.close()
            try err.close()
            defer {
                try? FileManager.default.removeItem(at: outURL)
                try? FileManager.default.removeItem(at: errURL)
            }
            return Result(status: process.terminationStatus,
                          stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                          stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
        }
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> Result {
        try Running(executable, arguments).wait()
    }

    /// Several processes at once (TF's start-up dominates; running them side by side keeps
    /// the suite fast). Results in the order given.
    static func runAll(_ commands: [(executable: String, arguments: [String])]) throws -> [Result] {
        let running = try commands.map { try Running($0.executable, $0.arguments) }
        return try running.map { try $0.wait() }
    }
}

/// A fresh folder under the system's temporary directory (the caller removes it).
func makeTemporaryDirectory(_ label: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

extension NPYArray {
    /// The values as doubles, whatever the numeric dtype.
    func values() throws -> [Double] {
        switch descr {
        case "<f4": try floats().map(Double.init)
        case "<f8": try doubles()
        case "<i4": try int32s().map(Double.init)
        case "<i8": try int64s().map(Double.init)
        default: throw SupportError("npy dtype \(descr) is not numeric")
        }
    }
}

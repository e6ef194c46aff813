import Crypto
import Foundation
import Testing
@testable import Registry

/// The TensorFlow-written corpus in `../shared/fixtures/tf2.21` and its MANIFEST.json.
enum Fixtures {
    static let root: String = {
        if let path = ProcessInfo.processInfo.environment["REGISTRY_FIXTURES"] { return path }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return package.deletingLastPathComponent().appendingPathComponent("shared/fixtures/tf2.21").path
    }()

    static func path(_ relative: String) -> String { root + "/" + relative }

    nonisolated(unsafe) static let manifest: [String: Any] = {
        let data = FileManager.default.contents(atPath: path("MANIFEST.json")) ?? Data()
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }()

    static var cases: [String: [String: Any]] { manifest["cases"] as? [String: [String: Any]] ?? [:] }

    /// SavedModel cases (those with `tag_sets`), by name.
    static var savedModelCases: [String] { cases.filter { $0.value["tag_sets"] != nil }.keys.sorted() }

    /// Checkpoint-folder cases: (case/subfolder) pairs with their manifest entries.
    static var checkpointFolders: [String] {
        cases.flatMap { name, value -> [String] in
            guard value["tag_sets"] == nil, value["saved_prefixes"] is [String: Any] else { return [] }
            return ["plain", "sharded"].filter { value[$0] != nil }.map { "\(name)/\($0)" }
        }.sorted()
    }

    static func checkpointManifest(_ folder: String) -> [String: Any] {
        let parts = folder.split(separator: "/").map(String.init)
        return (cases[parts[0]]?[parts[1]] as? [String: Any]) ?? [:]
    }
}

/// sha256 of a tensor by the manifest's rule: raw bytes for fixed-size dtypes; for strings,
/// each element's length as uint64 LE followed by its bytes.
func manifestDigest(_ entry: BundleEntry, value: [UInt8]) throws -> String {
    var hasher = SHA256()
    if entry.dtype == .string {
        let elements = try StringTensor.decode(value, count: Int(entry.elementCount ?? 0), file: "test", entry: entry.displayName)
        for element in elements {
            var length: [UInt8] = []
            ByteWriter.appendUInt64LE(UInt64(element.count), to: &length)
            hasher.update(data: length)
            hasher.update(data: element)
        }
    } else {
        hasher.update(data: value)
    }
    return hasher.finalize().map { String($0, radix: 16).leftPadded(to: 2) }.joined()
}

/// A fresh folder under the system's temporary directory, removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("registry-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

func fileBytes(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw FormatError.missing(file: path, detail: "test could not read it")
    }
    return [UInt8](data)
}

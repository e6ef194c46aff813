import Foundation

/// The package directory: three levels up from this file (Tests/TestSupport/Fixtures.swift).
public let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The TensorFlow-written corpus in `../shared/fixtures/tf2.21` (or `$REGISTRY_FIXTURES`) and
/// its MANIFEST.json.
public enum Fixtures {
    public static let root: String = {
        if let path = ProcessInfo.processInfo.environment["REGISTRY_FIXTURES"] { return path }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/tf2.21").path
    }()

    public static func path(_ relative: String) -> String { root + "/" + relative }

    nonisolated(unsafe) public static let manifest: [String: Any] = {
        let data = FileManager.default.contents(atPath: path("MANIFEST.json")) ?? Data()
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }()

    public static var cases: [String: [String: Any]] { manifest["cases"] as? [String: [String: Any]] ?? [:] }

    /// SavedModel cases (those with `tag_sets`), by name.
    public static var savedModelCases: [String] { cases.filter { $0.value["tag_sets"] != nil }.keys.sorted() }

    /// The case's folder (the manifest's `path`, else its name).
    public static func casePath(_ name: String) -> String { path(cases[name]?["path"] as? String ?? name) }

    /// Checkpoint-folder cases: (case/subfolder) pairs with their manifest entries.
    public static var checkpointFolders: [String] {
        cases.flatMap { name, value -> [String] in
            guard value["tag_sets"] == nil, value["saved_prefixes"] is [String: Any] else { return [] }
            return ["plain", "sharded"].filter { value[$0] != nil }.map { "\(name)/\($0)" }
        }.sorted()
    }

    public static func checkpointManifest(_ folder: String) -> [String: Any] {
        let parts = folder.split(separator: "/").map(String.init)
        return (cases[parts[0]]?[parts[1]] as? [String: Any]) ?? [:]
    }
}

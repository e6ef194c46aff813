import Foundation

/// A fresh folder under the system's temporary directory, removed by `cleanup()`.
public struct TemporaryDirectory: Sendable {
    public let path: String

    /// `label` starts the folder's name, so that leftovers say which tests made them.
    public init(label: String = "registry-tests") throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    public func cleanup() {
        // Copies of read-only fixtures keep their modes; make them writable so they can go.
        if let walker = FileManager.default.enumerator(atPath: path) {
            for case let relative as String in walker {
                try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path + "/" + relative)
            }
        }
        try? FileManager.default.removeItem(atPath: path)
    }
}

import Foundation
import Registry

/// Runs `body` with a fresh temporary folder, removed afterwards whatever happens: the pair
/// `TemporaryDirectory()` + `defer { cleanup() }` written once.
public func withTemporaryDirectory<T>(label: String = "registry-tests", _ body: (TemporaryDirectory) throws -> T) throws -> T {
    let tmp = try TemporaryDirectory(label: label)
    defer { tmp.cleanup() }
    return try body(tmp)
}

/// Runs `body` with a new, empty registry at `registry.db` in a fresh temporary folder (which
/// the body may use for its own files), removed afterwards.
public func withRegistry<T>(label: String = "registry-tests", _ body: (ModelRegistry, TemporaryDirectory) throws -> T) throws -> T {
    try withTemporaryDirectory(label: label) { tmp in
        try body(try ModelRegistry(path: tmp.path + "/registry.db"), tmp)
    }
}

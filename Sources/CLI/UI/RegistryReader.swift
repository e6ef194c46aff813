import Dispatch
import Registry

/// The registry, opened read-only, behind one serial queue: a registry is one SQLite
/// connection, so requests take turns at it, off Swift's cooperative threads (a diff of two
/// large versions blocks that queue, never the threads that accept and answer connections).
final class RegistryReader: @unchecked Sendable {
    let path: String
    private let registry: ModelRegistry
    private let queue = DispatchQueue(label: "registry-ui.reader")

    /// Opens `path` read-only: nothing the web app does can change the registry, and a missing
    /// file is an error, not a new registry.
    init(path: String) throws {
        self.path = path
        registry = try ModelRegistry(path: path, readOnly: true)
    }

    /// Runs `body` with the registry on the reader's queue.
    func read<T: Sendable>(_ body: @escaping @Sendable (ModelRegistry) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(self.registry) }) }
        }
    }
}

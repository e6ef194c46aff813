import Dispatch
import Registry

/// The registry, opened read-only, behind one serial queue: a registry is one SQLite
/// connection, so requests take turns at it, off Swift's cooperative threads (a diff of two
/// large versions blocks that queue, never the threads that accept and answer connections).
final class RegistryReader: @unchecked Sendable {
    let path: String
    private let registry: ModelRegistry
    private let queue = DispatchQueue(label: "registry-ui.reader")

    /// Takes over `registry` (opened read-only): from now on only the reader's queue uses it.
    init(registry: ModelRegistry) {
        path = registry.path
        self.registry = registry
    }

    /// Runs `body` with the registry on the reader's queue.
    func read<T: Sendable>(_ body: @escaping @Sendable (ModelRegistry) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(self.registry) }) }
        }
    }
}

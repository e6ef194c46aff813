import Dispatch
import Foundation
import Hummingbird
import Logging
import Registry

/// `registry ui`: a read-only web app over one registry — pages to browse models, versions,
/// curves and diffs, and a JSON API under `/api/` with the CLI's `--json` shapes.
public struct WebApp: Sendable {
    let reader: RegistryReader

    /// Serves `registry`, which the caller opened read-only (`ModelRegistry(path:readOnly: true,
    /// create: false)`): nothing the web app does can change it, and a missing file is
    /// `StoreError.noRegistry`, not a new registry.
    public init(registry: ModelRegistry) {
        reader = RegistryReader(registry: registry)
    }

    /// Serves until the process is stopped (SIGINT or SIGTERM end it gracefully). `listening`
    /// is called once with the URL, after the socket is bound (port 0 picks a free port: the
    /// URL says which).
    public func run(host: String, port: Int, listening: @escaping @Sendable (String) -> Void) throws {
        var logger = Logger(label: "registry-ui")
        // Failures reach the client and the command's own error line; the log would repeat them.
        logger.logLevel = .critical
        let app = Application(
            responder: HeadAsGet(inner: Routes(reader: reader).router().buildResponder()),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                let shown = host.contains(":") ? "[\(host)]" : host
                listening("http://\(shown):\(bound)/")
            },
            logger: logger)
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { try await app.runService() } catch { outcome.set(error) }
            done.signal()
        }
        done.wait()
        if let error = outcome.error {
            throw UIError.cannotListen(address: "\(host):\(port)", detail: Self.describe(error))
        }
    }

    /// A bind failure in words (NIO's IOError names the errno).
    private static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    /// The error the server stopped with, handed from its task to the waiting thread.
    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: (any Error)?
        var error: (any Error)? { lock.withLock { stored } }
        func set(_ error: any Error) { lock.withLock { stored = error } }
    }
}

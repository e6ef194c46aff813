import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real OCI distribution registry for one test: CNCF distribution's `registry serve`
/// (Debian's `docker-registry`, `$REGISTRY_OCI_SERVER` to override), started on 127.0.0.1 at
/// a free port with a config of our own — filesystem storage in a temporary folder, nothing
/// on other interfaces (the package's default config listens on every interface and is never
/// used) — and stopped by `stop()`. Tests gate on `OCIServer.enabled`: they run when the
/// binary is installed or `REGISTRY_REQUIRE_OCI=1` (then a missing binary fails them).
public final class OCIServer: @unchecked Sendable {
    public static var binary: String { ProcessInfo.processInfo.environment["REGISTRY_OCI_SERVER"] ?? "/usr/bin/docker-registry" }
    public static var required: Bool { ProcessInfo.processInfo.environment["REGISTRY_REQUIRE_OCI"] == "1" }
    public static var installed: Bool { FileManager.default.isExecutableFile(atPath: binary) }
    /// True when remote tests should run; the reason is printed once when they will not.
    public static let enabled: Bool = {
        if installed || required { return true }
        print("OCI remote tests skipped: \(binary) is missing (apt-get install docker-registry, or make deps); "
              + "set REGISTRY_REQUIRE_OCI=1 to make that a failure")
        return false
    }()

    public let folder: TemporaryDirectory
    /// The registry's storage root (blobs under docker/registry/v2/blobs/sha256/).
    public let storage: String
    public private(set) var port: Int = 0
    private let htpasswd: String?
    private let token: TokenAuth?
    private var process: Process?

    /// Bearer-token authentication: the server sends clients to `realm` for a JWT signed by
    /// the key of a certificate in `rootCertBundle`, issued by `issuer` for `service`.
    public struct TokenAuth: Sendable {
        public var realm: String
        public var service: String
        public var issuer: String
        public var rootCertBundle: String
        public init(realm: String, service: String, issuer: String, rootCertBundle: String) {
            self.realm = realm
            self.service = service
            self.issuer = issuer
            self.rootCertBundle = rootCertBundle
        }
    }

    /// `127.0.0.1:PORT`.
    public var host: String { "127.0.0.1:\(port)" }

    /// `oci+http://127.0.0.1:PORT/REPO` (plus `:TAG` when given).
    public func url(_ repository: String, tag: String? = nil) -> String {
        "oci+http://\(host)/\(repository)" + (tag.map { ":" + $0 } ?? "")
    }

    /// Starts a server; `htpasswd` (lines `user:bcrypt-hash`) turns on basic authentication,
    /// `token` bearer-token authentication.
    public init(htpasswd: String? = nil, token: TokenAuth? = nil) throws {
        guard Self.installed else {
            throw TestFailure("\(Self.binary) is missing: install Debian's docker-registry (make deps) to run the remote tests")
        }
        folder = try TemporaryDirectory(label: "registry-oci-server")
        storage = folder.path + "/storage"
        self.htpasswd = htpasswd
        self.token = token
        try FileManager.default.createDirectory(atPath: storage, withIntermediateDirectories: true)
        if let htpasswd { try Data(htpasswd.utf8).write(to: URL(fileURLWithPath: folder.path + "/htpasswd")) }
        try start(port: nil)
    }

    deinit { stop() }

    /// Starts the server process (again, on the same storage; on `port` when given).
    public func start(port fixed: Int? = nil) throws {
        var lastLog = ""
        for _ in 0..<5 {
            port = try fixed ?? Self.freePort()
            let config = folder.path + "/config.yml"
            try Data(configYAML.utf8).write(to: URL(fileURLWithPath: config))
            let log = folder.path + "/server.log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = ["serve", config]
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            try process.run()
            try handle.close()
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline && process.isRunning && !Self.accepts(port: port) { usleep(20_000) }
            if process.isRunning && Self.accepts(port: port) {
                self.process = process
                return
            }
            if process.isRunning { process.terminate(); process.waitUntilExit() }
            lastLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if fixed != nil { break }
        }
        throw TestFailure("docker-registry did not start on 127.0.0.1:\(port): \(lastLog.suffix(2000))")
    }

    private var configYAML: String {
        var yaml = """
            version: 0.1
            log:
              level: error
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: \(storage)
              delete:
                enabled: true
              maintenance:
                uploadpurging:
                  enabled: false
            http:
              addr: 127.0.0.1:\(port)
              secret: registry-tests-\(UUID().uuidString)

            """
        if htpasswd != nil {
            yaml += """
                auth:
                  htpasswd:
                    realm: registry-tests
                    path: \(folder.path)/htpasswd

                """
        }
        if let token {
            yaml += """
                auth:
                  token:
                    realm: \(token.realm)
                    service: \(token.service)
                    issuer: \(token.issuer)
                    rootcertbundle: \(token.rootCertBundle)

                """
        }
        return yaml
    }

    /// Stops the server (SIGTERM, then SIGKILL after 1 s: children of a test process may
    /// inherit a mask that blocks SIGTERM); the storage stays until `cleanup()`.
    public func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(1)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        self.process = nil
    }

    /// Kills the server at once (SIGKILL), as a crash or a lost connection would.
    public func crash() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Stops the server and removes its storage.
    public func cleanup() {
        stop()
        folder.cleanup()
    }

    /// Where the server keeps a blob's bytes.
    public func blobPath(_ digest: String) -> String {
        let hex = digest.hasPrefix("sha256:") ? String(digest.dropFirst(7)) : digest
        return storage + "/docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data"
    }

    /// Digests of every blob the server stores (complete uploads only).
    public func storedBlobs() -> Set<String> {
        let root = storage + "/docker/registry/v2/blobs/sha256"
        var digests: Set<String> = []
        for prefix in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            for hex in (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + prefix)) ?? []
            where FileManager.default.fileExists(atPath: root + "/" + prefix + "/" + hex + "/data") {
                digests.insert("sha256:" + hex)
            }
        }
        return digests
    }

    /// A port nothing listens on right now (the kernel's pick for 127.0.0.1:0).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TestFailure("bind(127.0.0.1:0) failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}

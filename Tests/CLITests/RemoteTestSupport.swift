import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Testing
import TestSupport

/// Runs the `registry` binary for remote tests: this process's `REGISTRY_OCI_*` variables are
/// removed (a developer's real credentials never reach a test server), a test's own are set.
struct RemoteDriver {
    let cli: CLI

    /// A docker-registry of the test's own (with the given authentication) and a CLI with its
    /// own registry folder, driven by a new driver; the caller cleans up both (`defer`).
    static func started(htpasswd: String? = nil, token: OCIServer.TokenAuth? = nil) throws -> (OCIServer, CLI, RemoteDriver) {
        let server = try OCIServer(htpasswd: htpasswd, token: token)
        do {
            let cli = try CLI()
            return (server, cli, RemoteDriver(cli: cli))
        } catch {
            server.cleanup()
            throw error
        }
    }

    /// Credentials and settings of the developer's own are removed; Docker's configuration is
    /// looked for in the test's folder (empty unless the test writes one).
    static let clearedCredentials: [String: String?] = [
        "REGISTRY_OCI_USERNAME": nil, "REGISTRY_OCI_PASSWORD": nil, "REGISTRY_OCI_TOKEN": nil, "REGISTRY_OCI_CONNECT_TIMEOUT": nil,
        "REGISTRY_OCI_IDLE_TIMEOUT": nil, "REGISTRY_OCI_MIN_RATE": nil, "REGISTRY_OCI_DEADLINE": nil,
    ]

    private func command(_ arguments: [String]) throws -> (String, [String]) {
        guard let binary = RegistryBinary.path else {
            throw TestFailure("the registry binary was not found beside the test bundle; set REGISTRY_BINARY")
        }
        var full = arguments
        // Every verb but `remote ls` and `remote login` works on the test's registry file.
        if let verb = arguments.first, verb != "remote" {
            full.insert(contentsOf: ["--registry", cli.database], at: 1)
        } else if arguments.count > 1, arguments[1] == "alias" {
            full.insert(contentsOf: ["--registry", cli.database], at: 2)
        }
        return (binary, full)
    }

    private func environment(_ extra: [String: String]) -> [String: String?] {
        RegistryBinary.environment.merging(Self.clearedCredentials) { $1 }
            .merging(["DOCKER_CONFIG": cli.tmp.path + "/docker"]) { $1 }
            .merging(extra.mapValues { Optional($0) }) { $1 }
    }

    /// Runs the command (under `wrapper`, e.g. `/usr/bin/time -f %M -o FILE`, when given).
    func run(_ arguments: [String], environment extra: [String: String] = [:], wrapper: [String] = [], stdin: Data? = nil) throws -> ProcessResult {
        let (binary, full) = try command(arguments)
        guard let program = wrapper.first else { return try runProcess(binary, full, environment: environment(extra), stdin: stdin) }
        return try runProcess(program, Array(wrapper.dropFirst()) + [binary] + full, environment: environment(extra), stdin: stdin)
    }

    /// Starts the command without waiting for it.
    func start(_ arguments: [String], environment extra: [String: String] = [:]) throws -> RunningProcess {
        let (binary, full) = try command(arguments)
        return try RunningProcess(binary, full, environment: environment(extra))
    }

    @discardableResult
    func ok(_ arguments: String..., environment extra: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
        let result = try run(arguments, environment: extra)
        try #require(result.status == 0, "registry \(arguments.joined(separator: " ")): \(result)", sourceLocation: sourceLocation)
        return result
    }

    /// Runs with `--json`, requires exit 0, returns the object printed.
    func json(_ arguments: String..., environment extra: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let result = try run(arguments + ["--json"], environment: extra)
        try #require(result.status == 0, "registry \(arguments.joined(separator: " ")) --json: \(result)", sourceLocation: sourceLocation)
        return try #require(try result.json() as? [String: Any], "not a JSON object: \(result.out)", sourceLocation: sourceLocation)
    }

    /// Models and versions of the local registry, as `ls --json` lists them.
    func listing() throws -> [[String: Any]] {
        let result = try run(["ls", "--json"])
        try #require(result.status == 0, "\(result)")
        return try #require(try result.json() as? [[String: Any]])
    }

    /// The distinct chunks of a stored version (hex sha256 → raw size), read straight from the
    /// database: every content its tensors, files, meta graphs and graph text refer to.
    func chunks(model: String, version: Int) throws -> [String: Int] {
        let queue = try DatabaseQueue(path: cli.database)
        return try queue.read { db in
            let rows = try Row.fetchAll(db, sql: """
                WITH v AS (SELECT versions.id FROM versions JOIN models ON models.id = versions.model_id
                           WHERE models.name = ? AND versions.number = ?),
                     c AS (SELECT content_id AS id FROM tensors WHERE version_id IN v AND content_id IS NOT NULL
                           UNION SELECT content_id FROM files WHERE version_id IN v AND content_id IS NOT NULL
                           UNION SELECT content_id FROM meta_graphs WHERE version_id IN v
                           UNION SELECT graph_text_id FROM versions WHERE id IN v AND graph_text_id IS NOT NULL)
                SELECT DISTINCT chunks.hash, chunks.raw_size FROM content_chunks
                JOIN chunks ON chunks.id = content_chunks.chunk_id WHERE content_chunks.content_id IN c
                """, arguments: [model, version])
            return Dictionary(uniqueKeysWithValues: rows.map { row in
                ((row[0] as Data).map { String(format: "%02x", $0) }.joined(), row[1] as Int)
            })
        }
    }

    /// Hex addresses of every chunk stored in the local registry.
    func storedChunks() throws -> Set<String> {
        let queue = try DatabaseQueue(path: cli.database)
        return try queue.read { db in
            Set(try Data.fetchAll(db, sql: "SELECT hash FROM chunks").map { $0.map { String(format: "%02x", $0) }.joined() })
        }
    }
}

extension Dictionary where Key == String, Value == Any {
    func int(_ key: String) -> Int? { (self[key] as? NSNumber)?.intValue }
}

/// A SavedModel fixture copied with a large random asset added, so that a push has enough
/// chunk blobs (`megabytes` of 1 MiB chunks) to be interrupted midway.
func largeSavedModel(in folder: String, megabytes: Int) throws -> String {
    let target = folder + "/large-model"
    try writableCopy(of: Fixtures.casePath("seed_mlp_train_and_serve"), to: target)
    try FileManager.default.createDirectory(atPath: target + "/assets", withIntermediateDirectories: true)
    guard let random = FileHandle(forReadingAtPath: "/dev/urandom") else { throw TestFailure("cannot read /dev/urandom") }
    defer { try? random.close() }
    _ = FileManager.default.createFile(atPath: target + "/assets/weights.bin", contents: nil)
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: target + "/assets/weights.bin"))
    for _ in 0..<megabytes { try out.write(contentsOf: random.readData(ofLength: 1 << 20)) }
    try out.close()
    return target
}

/// Waits until `condition` holds, polling; false on timeout.
func waitUntil(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(2_000)
    }
    return condition()
}

/// Plain HTTP to a test server, for what the CLI does not do: reading raw answers, deleting
/// manifests, pushing an ordinary image.
enum OCIHTTP {
    static func request(_ method: String, _ url: String, body: Data? = nil, headers: [String: String] = [:]) throws -> (status: Int, headers: [String: String], body: Data) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = body
        for (key, value) in headers { request.setValue(value, forHTTPHeaderField: key) }
        final class Box: @unchecked Sendable { var result: (Int, [String: String], Data)?; var error: Error? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let http = response as? HTTPURLResponse {
                var fields: [String: String] = [:]
                for (key, value) in http.allHeaderFields { if let key = key as? String, let value = value as? String { fields[key.lowercased()] = value } }
                box.result = (http.statusCode, fields, data ?? Data())
            }
            box.error = error
            done.signal()
        }.resume()
        done.wait()
        guard let result = box.result else { throw TestFailure("\(method) \(url): \(box.error.map { "\($0)" } ?? "no answer")") }
        return result
    }

    static func get(_ server: OCIServer, _ repository: String, _ path: String, accept: String? = nil) throws -> Data {
        let response = try request("GET", "http://\(server.host)/v2/\(repository)/\(path)", headers: accept.map { ["Accept": $0] } ?? [:])
        guard response.status == 200 else { throw TestFailure("GET \(path): HTTP \(response.status)") }
        return response.body
    }

    static func delete(_ server: OCIServer, _ repository: String, _ path: String) throws {
        let response = try request("DELETE", "http://\(server.host)/v2/\(repository)/\(path)")
        guard response.status == 202 else { throw TestFailure("DELETE \(path): HTTP \(response.status)") }
    }

    /// Uploads one blob (monolithic: POST, then PUT to the Location with &digest=); returns its digest.
    static func upload(_ server: OCIServer, _ repository: String, _ bytes: Data) throws -> String {
        let digest = "sha256:" + sha256Hex([UInt8](bytes))
        let start = try request("POST", "http://\(server.host)/v2/\(repository)/blobs/uploads/")
        guard start.status == 202, let location = start.headers["location"] else { throw TestFailure("POST upload: HTTP \(start.status)") }
        let done = try request("PUT", location + (location.contains("?") ? "&" : "?") + "digest=" + digest, body: bytes,
                               headers: ["Content-Type": "application/octet-stream"])
        guard done.status == 201 else { throw TestFailure("PUT upload: HTTP \(done.status)") }
        return digest
    }

    /// An ordinary OCI image (a config and one layer) under `tag`; returns the manifest's digest.
    static func pushForeignImage(_ server: OCIServer, _ repository: String, tag: String) throws -> String {
        let config = Data(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        let layer = Data("not a model\n".utf8)
        let configDigest = try upload(server, repository, config)
        let layerDigest = try upload(server, repository, layer)
        let manifest = Data("""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
            "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\(configDigest)","size":\(config.count)},\
            "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"\(layerDigest)","size":\(layer.count)}]}
            """.utf8)
        let response = try request("PUT", "http://\(server.host)/v2/\(repository)/manifests/\(tag)", body: manifest,
                                   headers: ["Content-Type": "application/vnd.oci.image.manifest.v1+json"])
        guard response.status == 201 else { throw TestFailure("PUT manifest: HTTP \(response.status) \(String(decoding: response.body, as: UTF8.self))") }
        return "sha256:" + sha256Hex([UInt8](manifest))
    }
}

/// What a version's manifest on a test server names.
enum PushedLayers {
    /// The layers (packs) of a manifest, in order: digest and size.
    static func packs(_ server: OCIServer, _ repository: String, _ reference: String) throws -> [(digest: String, size: Int)] {
        let manifest = try OCIHTTP.get(server, repository, "manifests/" + reference, accept: "application/vnd.oci.image.manifest.v1+json")
        let object = try JSONSerialization.jsonObject(with: manifest) as? [String: Any]
        return (object?["layers"] as? [[String: Any]] ?? []).map { ($0["digest"] as? String ?? "", ($0["size"] as? NSNumber)?.intValue ?? 0) }
    }

    /// The chunk addresses (hex) and sizes a pack's header lists, read from the blob's bytes.
    static func chunks(ofPack bytes: Data) -> [(hash: String, size: Int)] {
        let raw = [UInt8](bytes)
        guard raw.count >= 12, Array(raw[0..<8]) == Array("TFRPACK1".utf8) else { return [] }
        func uint32(_ at: Int) -> Int { Int(raw[at]) | Int(raw[at + 1]) << 8 | Int(raw[at + 2]) << 16 | Int(raw[at + 3]) << 24 }
        return (0..<uint32(8)).map { index in
            let at = 12 + 36 * index
            return (raw[at..<(at + 32)].map { String(format: "%02x", $0) }.joined(), uint32(at + 32))
        }
    }

    /// Header bytes of a pack of `count` chunks.
    static func headerSize(_ count: Int) -> Int { 12 + 36 * count }
}

/// The user the remote tests' htpasswd servers know, and the forms of its password that must
/// never appear in any output.
enum TestUser {
    static let name = "tester"
    static let password = "correct horse 42"
    /// bcrypt (cost 4) of the password, made once with python3's crypt module.
    static let htpasswd = "tester:$2b$04$Yq/1NEwokmWV6bFN0rDeV.ZpoB/0rCbuKkTCh5VehR5snPekWnQG6\n"
    static let secrets = [password, Data("\(name):\(password)".utf8).base64EncodedString()]
}

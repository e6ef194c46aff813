import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Docker's client configuration, where `docker login`, podman, skopeo, crane and oras keep
/// registry credentials: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. Per host,
/// a credential helper named in `credHelpers` wins, then the `credsStore` helper, then the
/// `auths` entry's base64 `auth` (`user:password`). A helper is the program
/// `docker-credential-NAME` on PATH, asked with `get` and the host on standard input. Nothing
/// read here is ever printed; errors name the file or the helper, never a value.
struct DockerConfig {
    let path: String
    private let environment: [String: String]

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
        if let folder = environment["DOCKER_CONFIG"], !folder.isEmpty {
            path = folder + "/config.json"
        } else {
            path = (environment["HOME"] ?? NSHomeDirectory()) + "/.docker/config.json"
        }
    }

    /// The file's top-level object, or an empty one when there is no file.
    func load() throws -> [String: Any] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        guard let data = FileManager.default.contents(atPath: path), data.count <= 16 << 20,
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw RemoteError.credentialStore(detail: "\(path) is not a JSON object; fix or remove it")
        }
        return object
    }

    /// The credentials stored for `host`, or nil.
    func credentials(host: String) throws -> OCICredentials? {
        let config = try load()
        if let helpers = config["credHelpers"] as? [String: Any], let name = helpers[host] as? String {
            return try CredentialHelper(name: name, environment: environment).get(host: host)
        }
        if let name = config["credsStore"] as? String, !name.isEmpty,
           let found = try CredentialHelper(name: name, environment: environment).get(host: host) {
            return found
        }
        guard let auths = config["auths"] as? [String: Any] else { return nil }
        for (key, value) in auths where Self.hostname(key) == host {
            guard let entry = value as? [String: Any] else { continue }
            if let auth = entry["auth"] as? String, !auth.isEmpty {
                guard let decoded = Data(base64Encoded: auth).map({ String(decoding: $0, as: UTF8.self) }),
                      let colon = decoded.firstIndex(of: ":") else {
                    throw RemoteError.credentialStore(detail: "the auth entry for \(host) in \(path) is not base64 of user:password")
                }
                return OCICredentials(username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]),
                                      source: "\(path) (auths)")
            }
            if let user = entry["username"] as? String, let password = entry["password"] as? String {
                return OCICredentials(username: user, password: password, source: "\(path) (auths)")
            }
        }
        return nil
    }

    /// Stores credentials for `host` as `docker login` does: through the host's helper or the
    /// `credsStore` when one is configured (the file then keeps an empty `auths` entry), else
    /// as base64 `auth` in the file, written aside with mode 0600 and renamed into place.
    func store(host: String, username: String, password: String) throws -> String {
        var config = try load()
        var auths = config["auths"] as? [String: Any] ?? [:]
        let helperName = (config["credHelpers"] as? [String: Any])?[host] as? String
            ?? (config["credsStore"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        let place: String
        if let helperName {
            try CredentialHelper(name: helperName, environment: environment).store(host: host, username: username, password: password)
            auths[host] = [String: Any]()
            place = "docker-credential-\(helperName)"
        } else {
            auths[host] = ["auth": Data("\(username):\(password)".utf8).base64EncodedString()]
            place = path
        }
        config["auths"] = auths
        try write(config)
        return place
    }

    private func write(_ config: [String: Any]) throws {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let data = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
            let temporary = folder + "/.config.json.\(getpid()).tmp"
            let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { throw RemoteError.credentialStore(detail: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
            let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            let synced = fsync(fd)
            close(fd)
            guard written == data.count, synced == 0, rename(temporary, path) == 0 else {
                unlink(temporary)
                throw RemoteError.credentialStore(detail: "cannot write \(path): \(String(cString: strerror(errno)))")
            }
        } catch let error as RemoteError {
            throw error
        } catch {
            throw RemoteError.credentialStore(detail: "cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// The host an `auths` key names: `https://index.docker.io/v1/` → `index.docker.io`.
    static func hostname(_ key: String) -> String {
        var rest = Substring(key)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        return String(rest.prefix { $0 != "/" })
    }
}

/// A Docker credential helper, `docker-credential-NAME` on PATH: `get` reads the host on
/// standard input and prints `{"ServerURL","Username","Secret"}`; `store` reads that object.
struct CredentialHelper {
    let name: String
    let environment: [String: String]

    init(name: String, environment: [String: String]) throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw RemoteError.credentialStore(detail: "'\(name)' is not a credential helper name")
        }
        self.name = name
        self.environment = environment
    }

    var program: String { "docker-credential-" + name }

    struct Answer: Codable {
        var ServerURL: String?
        var Username: String?
        var Secret: String?
    }

    func get(host: String) throws -> OCICredentials? {
        let (status, output) = try run("get", input: Data(host.utf8))
        // Helpers answer "credentials not found" with a non-zero exit: no credentials.
        guard status == 0 else { return nil }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: output) else {
            throw RemoteError.credentialStore(detail: "\(program) get printed something other than its JSON answer")
        }
        guard let user = answer.Username, let secret = answer.Secret, !secret.isEmpty else { return nil }
        if user == "<token>" {
            var credentials = OCICredentials()
            credentials.token = secret
            credentials.source = program
            return credentials
        }
        return OCICredentials(username: user, password: secret, source: program)
    }

    func store(host: String, username: String, password: String) throws {
        let input = try JSONEncoder().encode(Answer(ServerURL: host, Username: username, Secret: password))
        let (status, _) = try run("store", input: input)
        guard status == 0 else { throw RemoteError.credentialStore(detail: "\(program) store failed (exit \(status))") }
    }

    /// Runs the helper with `input` on standard input; its output is read up to 1 MiB.
    private func run(_ verb: String, input: Data) throws -> (Int32, Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program, verb]
        process.environment = environment
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            throw RemoteError.credentialStore(detail: "cannot run \(program): \(error.localizedDescription)")
        }
        try? stdin.fileHandleForWriting.write(contentsOf: input)
        try? stdin.fileHandleForWriting.close()
        var output = Data()
        while output.count <= 1 << 20, let piece = try? stdout.fileHandleForReading.read(upToCount: 64 << 10), !piece.isEmpty {
            output.append(piece)
        }
        process.waitUntilExit()
        if process.terminationStatus == 127 { throw RemoteError.credentialStore(detail: "\(program) is not on PATH") }
        return (process.terminationStatus, output)
    }
}

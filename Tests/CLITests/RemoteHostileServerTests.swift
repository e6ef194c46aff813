import Foundation
import Testing
import TestSupport

/// A server that misbehaves (`scripts/hostile_oci_server.py` on loopback, serving a version
/// first pushed to a real docker-registry): bodies that never end or announce a terabyte,
/// inflated configs, stalls and drips, credentials asked for from one origin and pointed at
/// another. Each refusal is one line, exit 1, the registry as it was, and the process stays
/// under 64 MiB of resident memory whatever the server sends.
@Suite(.enabled(if: OCIServer.enabled, "needs /usr/bin/docker-registry (make deps)"))
struct RemoteHostileServerTests {
    static let memoryCeiling: Int64 = 64 << 20

    /// A version (`megabytes` of random asset on top of the seed fixture) pushed to a real
    /// registry and copied out for the hostile server.
    static func content(_ remote: RemoteDriver, megabytes: Int = 0) throws -> String {
        let server = try OCIServer()
        defer { server.cleanup() }
        let folder = megabytes == 0 ? Fixtures.casePath("seed_mlp_train_and_serve") : try largeSavedModel(in: remote.cli.tmp.path, megabytes: megabytes)
        try remote.ok("push", folder, "seed")
        try remote.ok("push", "seed", "--to", server.url("team/seed", tag: "v1"))
        try remote.ok("rm", "seed", "--all")
        try remote.ok("gc")
        return try HostileServer.snapshot(server, "team/seed", tag: "v1", into: remote.cli.tmp.path)
    }

    /// Each misbehaviour is refused in one line, naming what; memory stays bounded.
    @Test(arguments: [
        ("endless-blob", "pull", "arrived damaged"),
        ("huge-length", "pull", "announces 1099511627776 bytes"),
        ("endless-manifest", "pull", "more than the 4194304 bytes accepted"),
        ("endless-config", "pull", "bytes accepted"),
        ("huge-config", "pull", "its manifest says 200000000 bytes"),
        ("unknown-config-key", "pull", "unknown top-level key 'padding'"),
        ("endless-error", "pull", "is not on the remote"),
        ("redirect-endless", "pull", "more than 7 redirects"),
        ("endless-taglist", "ls", "more than the 1048576 bytes accepted"),
        ("endless-manifest", "ls", "more than the 4194304 bytes accepted"),
    ])
    func everyAnswerIsBoundedWhateverTheServerSends(mode: String, verb: String, message: String) throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let remote = RemoteDriver(cli: cli)
        let hostile = try HostileServer(mode: mode, content: try Self.content(remote), folder: cli.tmp.path)
        defer { hostile.stop() }
        let arguments = verb == "pull" ? ["pull", hostile.url("team/seed") + ":v1"] : ["remote", "ls", hostile.url("team/seed")]
        let (result, peak) = try withPeakRSS(remote, arguments, environment: ["REGISTRY_OCI_IDLE_TIMEOUT": "20"])
        #expect(result.status == 1 && result.stderr.split(separator: "\n").count == 1, "\(mode): \(result)")
        #expect(result.stderr.contains(message), "\(mode): \(result.stderr)")
        #expect(peak <= Self.memoryCeiling, "\(mode): peak RSS \(peak >> 20) MiB")
        #expect(try remote.listing().isEmpty, "\(mode): a refused pull recorded a version")
    }

    /// A server that stops sending, drips, or never answers: the transfer ends after the idle
    /// timeout or the deadline, whichever comes first, with the setting to raise named.
    @Test(arguments: [
        ("silent", ["REGISTRY_OCI_IDLE_TIMEOUT": "3"], "REGISTRY_OCI_IDLE_TIMEOUT"),
        ("drip", ["REGISTRY_OCI_IDLE_TIMEOUT": "3"], "REGISTRY_OCI_IDLE_TIMEOUT"),
        ("drip", ["REGISTRY_OCI_IDLE_TIMEOUT": "300", "REGISTRY_OCI_DEADLINE": "3"], "REGISTRY_OCI_DEADLINE"),
    ])
    func aStallingServerTimesOut(mode: String, settings: [String: String], message: String) throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let remote = RemoteDriver(cli: cli)
        let hostile = try HostileServer(mode: mode, content: try Self.content(remote), folder: cli.tmp.path)
        defer { hostile.stop() }
        let result = try remote.run(["pull", hostile.url("team/seed") + ":v1"], environment: settings)
        #expect(result.status == 1 && result.stderr.split(separator: "\n").count == 1, "\(result)")
        #expect(result.stderr.contains("timed out") && result.stderr.contains(message), "\(result.stderr)")
        #expect(try remote.listing().isEmpty)
    }

    /// The first pack that fails ends the pull: the others, stalled, are cancelled at once
    /// instead of each waiting out the idle timeout (300 s here).
    @Test func theFirstFailedFetchCancelsTheOthers() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let remote = RemoteDriver(cli: cli)
        let content = try Self.content(remote, megabytes: 48)
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: content + "/manifest.json"))) as? [String: Any])
        try #require((manifest["layers"] as? [Any])?.count ?? 0 >= 3, "the version travels in several packs")
        let hostile = try HostileServer(mode: "stall-after-one-pack", content: content, folder: cli.tmp.path)
        defer { hostile.stop() }
        let started = Date()
        let result = try remote.run(["pull", hostile.url("team/seed") + ":v1"], environment: ["REGISTRY_OCI_IDLE_TIMEOUT": "300"])
        let elapsed = Date().timeIntervalSince(started)
        #expect(result.status == 1 && result.stderr.contains("arrived damaged"), "\(result)")
        #expect(elapsed < 150, "the stalled transfers were waited for: \(elapsed) s")
        #expect(try remote.listing().isEmpty)
    }

    /// Credentials go to the registry's origin only: not to an upload Location or a next page
    /// on another origin; to a token realm on another origin only for the token; never in
    /// clear text to a name that merely looks like loopback.
    @Test func credentialsGoOnlyToTheOriginThatAskedForThem() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let remote = RemoteDriver(cli: cli)
        let content = try Self.content(remote)
        try remote.ok("push", Fixtures.casePath("seed_mlp_train_and_serve"), "seed")
        let good = ["REGISTRY_OCI_USERNAME": "tester", "REGISTRY_OCI_PASSWORD": "s3cret-pass"]
        let secrets = ["s3cret-pass", Data("tester:s3cret-pass".utf8).base64EncodedString()]
        var outputs: [ProcessResult] = []

        // Uploads sent elsewhere: the bytes go, the credentials do not.
        let emptied = cli.tmp.path + "/empty-content"
        try FileManager.default.createDirectory(atPath: emptied + "/blobs", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: content + "/manifest.json", toPath: emptied + "/manifest.json")
        let upload = try HostileServer(mode: "basic-cross-upload", content: emptied, folder: cli.tmp.path)
        defer { upload.stop() }
        let pushed = try remote.run(["push", "seed", "--to", upload.url("team/x") + ":v1"], environment: good)
        outputs.append(pushed)
        #expect(pushed.status == 0, "\(pushed)")
        let elsewhere = upload.requests().filter { $0.listener == "127.0.0.2" }
        #expect(!elsewhere.isEmpty && elsewhere.allSatisfy { !$0.auth }, "\(elsewhere)")
        #expect(upload.requests().contains { $0.listener == "127.0.0.1" && $0.method == "PUT" && $0.auth }, "the manifest went with credentials")

        // A next page on another origin is refused before it is asked for.
        let link = try HostileServer(mode: "basic-cross-link", content: content, folder: cli.tmp.path)
        defer { link.stop() }
        let listed = try remote.run(["remote", "ls", link.url("team/x")], environment: good)
        outputs.append(listed)
        #expect(listed.status == 1 && listed.stderr.contains("another origin"), "\(listed)")
        #expect(link.requests().allSatisfy { $0.listener == "127.0.0.1" })

        // A realm on another origin gets the user name and password for the token only.
        let realm = try HostileServer(mode: "basic-cross-realm", content: content, folder: cli.tmp.path)
        defer { realm.stop() }
        let pulled = try remote.run(["pull", realm.url("team/x") + ":v1"], environment: good)
        outputs.append(pulled)
        #expect(pulled.status == 0, "\(pulled)")
        let atRealm = realm.requests().filter { $0.listener == "127.0.0.2" }
        #expect(!atRealm.isEmpty && atRealm.allSatisfy { $0.path.hasPrefix("/token") && $0.auth }, "\(atRealm)")

        // Plain HTTP to names, even loopback-looking ones: refused before connecting.
        for host in ["localhost:\(link.port)", "127.evil.example.com:\(link.port)"] {
            let refused = try remote.run(["remote", "ls", "oci+http://\(host)/team/x"], environment: good)
            outputs.append(refused)
            #expect(refused.status != 0 && refused.stderr.contains("refusing to send credentials"), "\(host): \(refused)")
        }
        for result in outputs {
            for secret in secrets {
                #expect(!result.out.contains(secret) && !result.stderr.contains(secret), "a credential was printed: \(result)")
            }
        }
    }
}

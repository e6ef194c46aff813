import Foundation
import Testing
import TestSupport

/// A remote as a team's shared truth, against a real docker-registry: aliases and `latest`
/// travel as tags, a tag moves without re-sending, a digest or a tag pulled twice is recorded
/// once, the catalog pages through, provenance comes back on pull, and credentials are found
/// where docker, podman and skopeo keep them.
@Suite(.enabled(if: OCIServer.enabled, "needs /usr/bin/docker-registry (make deps)"))
struct RemoteTeamTests {
    static let seed = Fixtures.casePath("seed_mlp_train_and_serve")

    /// The tags of a repository by name, with their digests (`remote ls --json`).
    static func tags(_ remote: RemoteDriver, _ repository: String) throws -> [String: String] {
        let listed = try #require(try remote.json("remote", "ls", repository)["tags"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: listed.map { ($0["tag"] as! String, $0["digest"] as! String) })
    }

    @Test func aliasesAndLatestTravelAsTagsAndMoveWithoutResending() throws {
        let (server, cli, remote) = try RemoteDriver.started()
        defer { cli.cleanup(); server.cleanup() }
        let repository = server.url("team/seed")
        let first = try remote.json("push", Self.seed, "seed", "--alias", "prod")
        let one = try remote.json("push", "seed:1", "--to", repository, "--tag", "release-1")
        #expect(one["tags"] as? [String] == ["seed-1", "prod", "latest", "release-1"], "\(one)")
        #expect(one["digest"] as? String == first["digest"] as? String, "the push's manifest digest is the version's digest")
        #expect(try Self.tags(remote, repository) == ["seed-1": first["digest"] as! String, "prod": first["digest"] as! String,
                                                       "latest": first["digest"] as! String, "release-1": first["digest"] as! String])

        let second = try remote.json("push", Self.seed, "seed", "--label", "round=2")
        #expect(second["digest"] as? String != first["digest"] as? String)
        let two = try remote.json("push", "seed", "--to", repository)
        #expect(two["tags"] as? [String] == ["seed-2", "latest"])
        var tags = try Self.tags(remote, repository)
        #expect(tags["latest"] == second["digest"] as? String && tags["prod"] == first["digest"] as? String)

        // `remote alias` moves a tag: nothing but the tag is sent.
        let blobs = server.storedBlobs()
        let moved = try remote.ok("remote", "alias", repository + ":prod", "seed:2")
        #expect(moved.out == "\(repository):prod -> \(second["digest"] as! String)\n", "\(moved)")
        #expect(server.storedBlobs() == blobs, "remote alias sent blobs")
        tags = try Self.tags(remote, repository)
        #expect(tags["prod"] == second["digest"] as? String)
        try remote.ok("remote", "alias", repository + ":prod", first["digest"] as! String)
        #expect(try Self.tags(remote, repository)["prod"] == first["digest"] as? String)
        let unknown = try remote.run(["remote", "alias", repository + ":prod", "sha256:" + String(repeating: "0", count: 64)])
        #expect(unknown.status == 1 && unknown.stderr.contains("is not on the remote"), "\(unknown)")
    }

    @Test func pullingATagOrADigestTwiceRecordsItOnce() throws {
        let server = try OCIServer()
        defer { server.cleanup() }
        let cli = try CLI(), other = try CLI()
        defer { cli.cleanup(); other.cleanup() }
        let remote = RemoteDriver(cli: cli), team = RemoteDriver(cli: other)
        let repository = server.url("team/seed")
        try remote.ok("push", Self.seed, "seed", "--alias", "prod")
        let pushed = try remote.json("push", "seed", "--to", repository)
        let digest = try #require(pushed["digest"] as? String)

        // Another registry already has two versions of `seed`: the remote's seed:1 becomes
        // its seed:3, keeping seed:1 as its origin.
        try team.ok("push", Self.seed, "seed")
        try team.ok("push", Self.seed, "seed")
        let byTag = try #require(try team.json("pull", repository + ":prod")["pull"] as? [String: Any])
        #expect(byTag["model"] as? String == "seed" && byTag.int("version") == 3 && byTag["alreadyHere"] as? Bool == false, "\(byTag)")
        #expect(byTag["origin"] as? String == "seed:1" && byTag["alias"] as? String == "prod" && byTag["digest"] as? String == digest)
        for again in [repository + ":prod", repository + "@" + digest, repository, repository + ":seed-1"] {
            let result = try #require(try team.json("pull", again)["pull"] as? [String: Any])
            #expect(result["alreadyHere"] as? Bool == true && result.int("version") == 3, "\(again): \(result)")
        }
        let text = try team.ok("pull", repository + ":seed-1")
        #expect(text.out.hasPrefix("\(repository):seed-1 is already here as seed:3 (digest \(digest)); nothing recorded"), "\(text)")
        #expect(try team.listing().count == 3)
        let show = try team.json("show", "seed@prod")
        let provenance = try #require(show["provenance"] as? [String: Any])
        #expect(provenance["origin"] as? String == "seed:1" && provenance["digest"] as? String == digest, "\(provenance)")
        #expect((provenance["remote"] as? String)?.hasSuffix("@" + digest) == true)

        // --no-alias: a tag that is not MODEL-N sets no alias.
        let third = try CLI()
        defer { third.cleanup() }
        let quiet = try #require(try RemoteDriver(cli: third).json("pull", repository + ":prod", "--no-alias")["pull"] as? [String: Any])
        #expect(quiet["alias"] == nil || quiet["alias"] is NSNull, "\(quiet)")
        let listed = try RemoteDriver(cli: third).listing()
        #expect((listed.first?["aliases"] as? [String])?.isEmpty == true && listed.first?["digest"] as? String == digest)
    }

    @Test func theCatalogListsEveryRepositoryPageByPage() throws {
        let (server, cli, remote) = try RemoteDriver.started()
        defer { cli.cleanup(); server.cleanup() }
        try remote.ok("push", Self.seed, "seed")
        let names = ["alpha/one", "beta", "gamma/two/three", "delta", "epsilon"]
        for name in names { try remote.ok("push", "seed", "--to", server.url(name)) }
        let root = "oci+http://\(server.host)"
        let paged = try remote.json("remote", "ls", root, "--page-size", "2")
        #expect(paged["repositories"] as? [String] == names.sorted(), "\(paged)")
        #expect(paged["registry"] as? String == root)
        let text = try remote.ok("remote", "ls", root + "/")
        #expect(text.out == names.sorted().joined(separator: "\n") + "\n")
    }

    /// Who, where, which commit, with what, from which parent: recorded at push, shown by
    /// `show`, carried as standard annotations, and the same after a pull elsewhere.
    @Test func provenanceIsRecordedShownAndComesBackOnPull() throws {
        let server = try OCIServer()
        defer { server.cleanup() }
        let cli = try CLI(), other = try CLI()
        defer { cli.cleanup(); other.cleanup() }
        let remote = RemoteDriver(cli: cli), team = RemoteDriver(cli: other)
        let repo = cli.tmp.path + "/project"
        try writableCopy(of: Self.seed, to: repo + "/model")
        func git(_ arguments: String...) throws -> String {
            let result = try runProcess("/usr/bin/env", ["git", "-C", repo, "-c", "user.name=t", "-c", "user.email=t@t"] + arguments)
            try #require(result.status == 0, "git \(arguments): \(result)")
            return result.out.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try git("init", "-q")
        _ = try git("add", ".")
        _ = try git("commit", "-q", "-m", "model")
        let commit = try git("rev-parse", "HEAD")
        let clean = try remote.json("push", repo + "/model", "seed")
        try Data("notes".utf8).write(to: URL(fileURLWithPath: repo + "/notes.txt"))
        try remote.ok("push", repo + "/model", "seed", "--parent", "seed:1")

        let shown = try #require(try remote.json("show", "seed:2")["provenance"] as? [String: Any])
        let user = try runProcess("/usr/bin/env", ["id", "-un"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let host = ProcessInfo.processInfo.hostName
        #expect(shown["author"] as? String == "\(user)@\(host)", "\(shown)")
        #expect(shown["source"] as? String == repo + "/model" && shown["gitCommit"] as? String == commit && shown["gitDirty"] as? Bool == true)
        #expect(shown["parent"] as? String == "seed:1" && shown["parentDigest"] as? String == clean["digest"] as? String)
        #expect(shown["tool"] as? String != nil)
        let first = try #require(try remote.json("show", "seed:1")["provenance"] as? [String: Any])
        #expect(first["gitDirty"] as? Bool == false && first["gitCommit"] as? String == commit)
        let text = try remote.ok("show", "seed:2").out
        #expect(text.contains("source: \(repo)/model (git \(commit), dirty)") && text.contains("parent: seed:1 (\(clean["digest"] as! String))"), "\(text)")

        // Standard annotations on the manifest.
        try remote.ok("push", "seed:1", "--to", server.url("team/seed", tag: "v1"))
        let pushed = try remote.json("push", "seed:2", "--to", server.url("team/seed", tag: "v2"))
        let manifest = try OCIHTTP.get(server, "team/seed", "manifests/v2", accept: "application/vnd.oci.image.manifest.v1+json")
        let notes = try #require((try JSONSerialization.jsonObject(with: manifest) as? [String: Any])?["annotations"] as? [String: String])
        #expect(notes["org.opencontainers.image.authors"] == "\(user)@\(host)" && notes["org.opencontainers.image.source"] == repo + "/model")
        #expect(notes["org.opencontainers.image.revision"] == commit && notes["io.tfregistry.revision-dirty"] == "true")
        #expect(notes["org.opencontainers.image.version"] == "seed:2" && notes["org.opencontainers.image.created"] != nil)
        #expect(notes["io.tfregistry.parent"] == clean["digest"] as? String)

        // Pulled elsewhere: the same provenance, the parent linked when it is there too.
        try team.ok("pull", server.url("team/seed", tag: "v1"), "copy")
        try team.ok("pull", server.url("team/seed", tag: "v2"), "copy")
        let pulled = try #require(try team.json("show", "copy:2")["provenance"] as? [String: Any])
        for key in ["author", "tool", "source", "gitCommit", "gitDirty", "parent", "parentDigest", "digest"] {
            #expect(NSDictionary(dictionary: [key: pulled[key] ?? NSNull()]) == NSDictionary(dictionary: [key: shown[key] ?? NSNull()]), "\(key)")
        }
        #expect(pulled["digest"] as? String == pushed["digest"] as? String && pulled["origin"] as? String == "seed:2")
        let lineage = try #require(try team.json("show", "copy:2")["lineage"] as? [String])
        #expect(lineage == ["copy:2", "copy:1"], "\(lineage)")

        // `train --from` records where it started.
        try remote.ok("train", "run", "--from", "seed:1", "--epochs", "1", "--print-every", "1")
        let trained = try #require(try remote.json("show", "run")["provenance"] as? [String: Any])
        #expect(trained["parent"] as? String == "seed:1" && trained["parentDigest"] as? String == clean["digest"] as? String, "\(trained)")
    }

    /// Credentials as docker stores them: `auths`, a credential helper, `remote login`; the
    /// environment overrides them; none is ever printed.
    @Test func credentialsComeFromDockersConfigAndHelpers() throws {
        let (server, cli, remote) = try RemoteDriver.started(htpasswd: TestUser.htpasswd)
        defer { cli.cleanup(); server.cleanup() }
        let password = TestUser.password
        let secrets = TestUser.secrets
        let docker = cli.tmp.path + "/docker"
        try FileManager.default.createDirectory(atPath: docker, withIntermediateDirectories: true)
        try remote.ok("push", Self.seed, "seed")
        let repository = server.url("team/seed")
        var outputs: [ProcessResult] = []
        func run(_ arguments: [String], _ environment: [String: String] = [:]) throws -> ProcessResult {
            let result = try remote.run(arguments, environment: environment)
            outputs.append(result)
            return result
        }

        let anonymous = try run(["push", "seed", "--to", repository])
        #expect(anonymous.status == 1 && anonymous.stderr.contains("registry remote login \(server.host)"), "\(anonymous)")

        // `auths` with base64 user:password.
        let auths = ["auths": [server.host: ["auth": secrets[1]]]]
        try JSONSerialization.data(withJSONObject: auths).write(to: URL(fileURLWithPath: docker + "/config.json"))
        #expect(try run(["push", "seed", "--to", repository]).status == 0)
        let overridden = try run(["remote", "ls", repository], ["REGISTRY_OCI_USERNAME": "tester", "REGISTRY_OCI_PASSWORD": "wrong"])
        #expect(overridden.status == 1 && overridden.stderr.contains("refused"), "the environment does not override: \(overridden)")

        // A credential helper on PATH, named by credHelpers.
        let bin = cli.tmp.path + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let calls = cli.tmp.path + "/helper-calls"
        let helper = """
            #!/bin/sh
            read server
            echo "$1 $server" >> \(calls)
            [ "$1" = get ] && [ "$server" = "\(server.host)" ] || exit 1
            printf '{"ServerURL":"%s","Username":"tester","Secret":"\(password)"}' "$server"
            """
        try Data(helper.utf8).write(to: URL(fileURLWithPath: bin + "/docker-credential-regtest"))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/docker-credential-regtest")
        let helpers = ["credHelpers": [server.host: "regtest"]]
        try JSONSerialization.data(withJSONObject: helpers).write(to: URL(fileURLWithPath: docker + "/config.json"))
        let path = ["PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
        let listed = try run(["remote", "ls", repository], path)
        #expect(listed.status == 0 && listed.out.contains("seed-1"), "\(listed)")
        #expect(try String(contentsOfFile: calls, encoding: .utf8).contains("get \(server.host)"))

        // `remote login`: checked against the server, stored as docker login stores it.
        try FileManager.default.removeItem(atPath: docker + "/config.json")
        let wrong = try remote.run(["remote", "login", "oci+http://" + server.host, "--username", "tester"], stdin: Data("nope\n".utf8))
        outputs.append(wrong)
        #expect(wrong.status == 1 && !FileManager.default.fileExists(atPath: docker + "/config.json"), "\(wrong)")
        let login = try remote.run(["remote", "login", "oci+http://" + server.host, "-u", "tester"], stdin: Data((password + "\n").utf8))
        outputs.append(login)
        #expect(login.status == 0 && login.out == "logged in to \(server.host); credentials stored in \(docker)/config.json\n", "\(login)")
        let attributes = try FileManager.default.attributesOfItem(atPath: docker + "/config.json")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let stored = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: docker + "/config.json"))) as? [String: Any])
        #expect(((stored["auths"] as? [String: Any])?[server.host] as? [String: String])?["auth"] == secrets[1])
        #expect(try run(["pull", repository + ":seed-1", "copy"]).status == 0)

        for result in outputs {
            for secret in secrets {
                #expect(!result.out.contains(secret) && !result.stderr.contains(secret), "a credential was printed: \(result)")
            }
        }
    }
}

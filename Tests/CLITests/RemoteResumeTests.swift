import Foundation
import Testing
import TestSupport

/// Interrupted transfers resume without re-sending what arrived, and credentials come from
/// the environment and never show, against a real docker-registry started by each test.
@Suite(.enabled(if: OCIServer.enabled, "needs /usr/bin/docker-registry (make deps)"))
struct RemoteResumeTests {
    /// The server dies in the middle of a push, then of a pull; each re-run moves only the rest.
    @Test func aTransferCutOffMidwayMovesOnlyTheRestWhenRunAgain() throws {
        let (server, cli, remote) = try RemoteDriver.started()
        defer { cli.cleanup(); server.cleanup() }
        let folder = try largeSavedModel(in: cli.tmp.path, megabytes: 240)
        try remote.ok("push", folder, "big")
        let layers = try remote.chunks(model: "big", version: 1)
        let repository = server.url("team/big")

        // Push: kill the server once some packs are stored (the version travels in ~30).
        let probe = try OCIServer()
        defer { probe.cleanup() }
        let local = try remote.json("push", "big", "--to", probe.url("probe/big", tag: "v1"))
        let packs = try PushedLayers.packs(probe, "probe/big", "v1")
        try #require(packs.count >= 6 && local.int("packs") == packs.count, "\(local)")
        let digests = Set(packs.map(\.digest))
        let pushing = try remote.start(["push", "big", "--to", repository + ":v1"])
        let someSent = waitUntil(timeout: 120) { server.storedBlobs().intersection(digests).count >= 2 }
        server.crash()
        let cut = try pushing.wait()
        try #require(someSent, "no pack reached the server: \(cut)")
        try #require(cut.status == 1, "the push ended before the server was killed: \(cut)")
        #expect(cut.stderr.contains("cannot reach 127.0.0.1:\(server.port)") && cut.stderr.split(separator: "\n").count == 1, "\(cut)")
        try server.start(port: server.port)
        // What the server holds for the repository, asked directly (a blob moved into place
        // just before the kill may lack its repository link; HEAD says what counts).
        let held = packs.filter { (try? OCIHTTP.request("HEAD", "http://\(server.host)/v2/team/big/blobs/" + $0.digest).status) == 200 }
        #expect(held.count >= 1 && held.count < packs.count, "\(held.count) of \(packs.count) held")
        let resumed = try remote.json("push", "big", "--to", repository + ":v1")
        #expect(resumed.int("blobsSkipped") == held.count && resumed.int("blobsSent") == packs.count - held.count, "\(resumed)")
        let heldDigests = Set(held.map(\.digest))
        #expect(resumed.int("bytesSent") == packs.filter { !heldDigests.contains($0.digest) }.map(\.size).reduce(0, +))

        // Pull into an empty registry: kill the server as soon as a first batch of chunks is
        // committed (a pull commits every 64 MiB or second). On a loaded machine this process
        // may not get to look before the whole pull is done; then again, into a fresh registry,
        // at most three times.
        var others: [CLI] = []
        defer { for other in others { other.cleanup() } }
        var cutPull: ProcessResult
        repeat {
            others.append(try CLI())
            let puller = RemoteDriver(cli: others.last!)
            let pulling = try puller.start(["pull", repository + ":v1"])
            let someFetched = waitUntil(timeout: 120) {
                !((try? puller.storedChunks()) ?? []).intersection(layers.keys).isEmpty
            }
            server.crash()
            cutPull = try pulling.wait()
            try #require(someFetched, "no chunk was committed: \(cutPull)")
            if cutPull.status == 0 { try server.start(port: server.port) }
        } while cutPull.status == 0 && others.count < 3
        let other = others.last!
        let puller = RemoteDriver(cli: other)
        try #require(cutPull.status == 1, "the pull ended before the server was killed, \(others.count) times: \(cutPull)")
        #expect(cutPull.stderr.contains("cannot reach 127.0.0.1:\(server.port)"), "\(cutPull)")
        #expect(try puller.listing().isEmpty, "an interrupted pull records no version")
        let kept = try puller.storedChunks().intersection(layers.keys)
        #expect(!kept.isEmpty && kept.count < layers.count)
        try server.start(port: server.port)
        let pulled = try #require(try puller.json("pull", repository + ":v1")["pull"] as? [String: Any])
        let keptBytes = kept.map { layers[$0]! }.reduce(0, +)
        let total = packs.map(\.size).reduce(0, +)
        let headers = packs.map(\.size).reduce(0, +) - layers.values.reduce(0, +)
        #expect(pulled.int("chunksPresent") == kept.count && pulled.int("bytesPresent") == keptBytes, "\(pulled)")
        // Only what is missing comes again: the chunks not kept, and the headers of packs not begun.
        let fetched = try #require(pulled.int("bytesFetched"))
        #expect(fetched <= total - keptBytes && fetched >= total - keptBytes - headers, "\(fetched) of \(total), \(keptBytes) kept")

        // And what came through both interruptions is the folder that was pushed.
        let output = other.tmp.path + "/out"
        try puller.ok("pull", "big:1", "-o", output)
        #expect(try Tree(output) == Tree(folder))
        for file in try Tree(folder).files {
            #expect(try fileBytes(output + "/" + file) == fileBytes(folder + "/" + file), "\(file) differs")
        }
    }

    /// The push, then the pull, is killed (SIGKILL) midway: run again, each moves only the rest,
    /// and what a killed pull committed is reused, not fetched again.
    @Test func aKilledPushOrPullResumesWhereItStopped() throws {
        let server = try OCIServer()
        defer { server.cleanup() }
        let cli = try CLI(), other = try CLI()
        defer { cli.cleanup(); other.cleanup() }
        let remote = RemoteDriver(cli: cli), puller = RemoteDriver(cli: other)
        let folder = try largeSavedModel(in: cli.tmp.path, megabytes: 240)
        try remote.ok("push", folder, "big")
        let layers = try remote.chunks(model: "big", version: 1)
        let repository = server.url("team/big")

        let pushing = try remote.start(["push", "big", "--to", repository + ":v1"])
        let someSent = waitUntil(timeout: 120) { server.storedBlobs().count >= 3 }
        pushing.kill()
        let cut = try pushing.wait()
        try #require(someSent && cut.status != 0, "the push ended before it was killed: \(cut)")
        let resumed = try remote.json("push", "big", "--to", repository + ":v1")
        #expect(resumed.int("blobsSkipped") ?? 0 >= 1 && resumed.int("blobsSent") ?? 0 >= 1, "\(resumed)")

        let pulling = try puller.start(["pull", repository + ":v1"])
        let someFetched = waitUntil(timeout: 120) { !((try? puller.storedChunks()) ?? []).intersection(layers.keys).isEmpty }
        pulling.kill()
        let cutPull = try pulling.wait()
        try #require(someFetched && cutPull.status != 0, "the pull ended before it was killed: \(cutPull)")
        #expect(try puller.listing().isEmpty)
        let kept = try puller.storedChunks().intersection(layers.keys)
        let pulled = try #require(try puller.json("pull", repository + ":v1")["pull"] as? [String: Any])
        // On a loaded machine the kill may land after the last chunk's commit but before the
        // version's: then every chunk is reused and none fetched again.
        #expect(pulled.int("chunksPresent") == kept.count && !kept.isEmpty, "\(pulled)")
        try puller.ok("gc")
        try puller.ok("verify")
        try puller.ok("pull", "big", "-o", other.tmp.path + "/out")
        #expect(try fileBytes(other.tmp.path + "/out/assets/weights.bin") == fileBytes(folder + "/assets/weights.bin"))
    }

    /// htpasswd (bcrypt) on the server: without credentials, or with a wrong password, a clear
    /// refusal; with REGISTRY_OCI_USERNAME/PASSWORD, push, ls and pull work; the password (and
    /// its base64 form) appears in no output.
    @Test func basicAuthUsesTheEnvironmentAndNeverPrintsIt() throws {
        let (server, cli, remote) = try RemoteDriver.started(htpasswd: TestUser.htpasswd)
        defer { cli.cleanup(); server.cleanup() }
        let password = TestUser.password
        let good = ["REGISTRY_OCI_USERNAME": "tester", "REGISTRY_OCI_PASSWORD": password]
        let secrets = TestUser.secrets
        var outputs: [ProcessResult] = []
        func run(_ arguments: [String], _ environment: [String: String]) throws -> ProcessResult {
            let result = try remote.run(arguments, environment: environment)
            outputs.append(result)
            return result
        }
        try remote.ok("push", Fixtures.casePath("keras_tf2"), "k")
        let repository = server.url("team/k")

        let anonymous = try run(["push", "k", "--to", repository + ":v1"], [:])
        #expect(anonymous.status == 1 && anonymous.stderr.contains("asks for a user name and password")
                && anonymous.stderr.contains("REGISTRY_OCI_USERNAME"), "\(anonymous)")
        let wrong = try run(["push", "k", "--to", repository + ":v1"], ["REGISTRY_OCI_USERNAME": "tester", "REGISTRY_OCI_PASSWORD": "nope"])
        #expect(wrong.status == 1 && wrong.stderr.contains("refused"), "\(wrong)")
        let token = try run(["remote", "ls", repository], ["REGISTRY_OCI_TOKEN": "not-a-password"])
        #expect(token.status == 1 && token.stderr.contains("asks for a user name and password"), "\(token)")

        let pushed = try run(["push", "k", "--to", repository + ":v1", "--json"], good)
        #expect(pushed.status == 0, "\(pushed)")
        let listed = try run(["remote", "ls", repository], good)
        #expect(listed.status == 0 && listed.out.contains("v1") && listed.out.contains("k:1"), "\(listed)")
        let pulled = try run(["pull", repository + ":v1", "copy", "-o", cli.tmp.path + "/out"], good)
        #expect(pulled.status == 0, "\(pulled)")
        #expect(try Tree(cli.tmp.path + "/out") == Tree(Fixtures.casePath("keras_tf2")))

        // Credentials never go in clear text to another machine: refused before connecting.
        let insecure = try run(["pull", "oci+http://192.0.2.1:5000/team/k:v1"], good)
        #expect(insecure.status == 1 && insecure.stderr.contains("refusing to send credentials"), "\(insecure)")

        for result in outputs {
            for secret in secrets {
                #expect(!result.out.contains(secret) && !result.stderr.contains(secret), "a credential was printed: \(result)")
            }
        }
    }
}

import Foundation
import Testing
import TestSupport

/// `push --to`, `pull oci://…` and `remote ls` against a real CNCF distribution registry
/// (Debian's docker-registry) that each test starts on 127.0.0.1 and stops.
@Suite(.enabled(if: OCIServer.enabled, "needs /usr/bin/docker-registry (make deps)"))
struct RemoteTests {
    /// Every SavedModel fixture: push → delete locally (+ gc) → pull from the remote →
    /// export: byte-identical to the fixture folder, with the same rows as before.
    @Test(arguments: Fixtures.savedModelCases)
    func pushDeletePullGivesBackTheFixtureByteForByte(name: String) throws {
        let (server, cli, remote) = try RemoteDriver.started()
        defer { cli.cleanup(); server.cleanup() }
        let model = "m-" + name
        let repository = server.url("fixtures/" + name.lowercased())
        try remote.ok("push", Fixtures.casePath(name), model, "--label", "case=\(name)")
        let before = try remote.json("show", model)
        let chunks = try remote.chunks(model: model, version: 1)

        let pushed = try remote.json("push", model, "--to", repository)
        #expect(pushed["tag"] as? String == "\(model)-1", "default tag: \(pushed)")
        let packs = try PushedLayers.packs(server, "fixtures/" + name.lowercased(), "\(model)-1")
        #expect(pushed.int("chunks") == chunks.count && pushed.int("packs") == packs.count && pushed.int("blobsSent") == packs.count)
        #expect(pushed.int("blobsSkipped") == 0 && pushed.int("bytesSent") == packs.map(\.size).reduce(0, +))
        #expect(pushed["configSent"] as? Bool == true)
        // The server's packs list every chunk once, headers and bytes adding up to their sizes.
        var listed: [String: Int] = [:]
        for pack in packs {
            let inPack = PushedLayers.chunks(ofPack: try Data(contentsOf: URL(fileURLWithPath: server.blobPath(pack.digest))))
            #expect(PushedLayers.headerSize(inPack.count) + inPack.map(\.size).reduce(0, +) == pack.size)
            for chunk in inPack { listed[chunk.hash] = chunk.size }
        }
        #expect(listed == chunks, "\(name): the packs hold other chunks than the version")

        try remote.ok("rm", model, "--all")
        try remote.ok("gc")
        #expect(try remote.storedChunks().isDisjoint(with: chunks.keys), "gc left chunks of the deleted model")

        let pulled = try remote.json("pull", repository + ":\(model)-1")
        let pull = try #require(pulled["pull"] as? [String: Any])
        #expect(pull["model"] as? String == model && pull.int("version") == 1)
        #expect(pull.int("blobsFetched") == packs.count && pull.int("chunksPresent") == 0 && pull.int("chunks") == chunks.count)
        #expect(pull["digest"] as? String == pushed["digest"] as? String)

        let output = cli.tmp.path + "/out-" + name
        try remote.ok("pull", "\(model):1", "-o", output)
        let source = Fixtures.casePath(name)
        let tree = try Tree(source)
        #expect(try Tree(output) == tree, "\(name)")
        for file in tree.files {
            #expect(try fileBytes(output + "/" + file) == fileBytes(source + "/" + file), "\(name): \(file) differs")
        }
        // Signatures, collections, tensors, files and labels are the same rows again.
        let after = try remote.json("show", model)
        for key in ["metaGraphs", "tensors", "files"] {
            #expect(NSDictionary(dictionary: [key: after[key] ?? NSNull()]) == NSDictionary(dictionary: [key: before[key] ?? NSNull()]),
                    "\(name): \(key) differ after the round trip")
        }
        let summary = try #require(after["summary"] as? [String: Any])
        #expect((summary["labels"] as? [String: String]) == ["case": name])
        #expect(summary["source"] as? String == Fixtures.casePath(name) && summary["digest"] as? String == pushed["digest"] as? String)
        let provenance = try #require(after["provenance"] as? [String: Any])
        #expect((provenance["remote"] as? String)?.hasSuffix("@" + (pushed["digest"] as? String ?? "?")) == true, "\(provenance)")
        try remote.ok("verify")
    }

    /// Checkpoint k then k+1 of a training run: the second push sends exactly the packs the
    /// first did not, says so, and a third push of the same version sends nothing.
    @Test func theNextCheckpointSendsOnlyThePacksItDoesNotShare() throws {
        let (server, cli, remote) = try RemoteDriver.started()
        defer { cli.cleanup(); server.cleanup() }
        try remote.ok("train", "run", "--epochs", "3", "--save-every", "50", "--max-to-keep", "0", "--print-every", "10")
        let repository = server.url("team/run")

        let one = try remote.json("push", "run:1", "--to", repository + ":step-50")
        let first = try PushedLayers.packs(server, "team/run", "step-50")
        #expect(one.int("blobsSent") == first.count && one.int("bytesSent") == first.map(\.size).reduce(0, +))

        let two = try remote.ok("push", "run:2", "--to", repository + ":step-100")
        let second = try PushedLayers.packs(server, "team/run", "step-100")
        let shared = Set(first.map(\.digest))
        let sent = second.filter { !shared.contains($0.digest) }
        let sentBytes = sent.map(\.size).reduce(0, +), totalBytes = second.map(\.size).reduce(0, +)
        let line = "packs: \(sent.count) of \(second.count) sent (\(formatBytes(sentBytes))), "
            + "\(second.count - sent.count) already there (\(formatBytes(totalBytes - sentBytes)))"
        #expect(two.out.contains(line), "expected '\(line)' in: \(two.out)")
        // What reached the server is exactly both versions' packs, plus two configs and two
        // manifests (the distribution server keeps manifests as blobs too).
        var expectedBlobs = Set(first.map(\.digest)).union(second.map(\.digest))
        for tag in ["step-50", "step-100"] {
            let manifest = try OCIHTTP.get(server, "team/run", "manifests/" + tag, accept: "application/vnd.oci.image.manifest.v1+json")
            let config = try #require(((try JSONSerialization.jsonObject(with: manifest)) as? [String: Any])?["config"] as? [String: Any])
            expectedBlobs.insert(try #require(config["digest"] as? String))
            expectedBlobs.insert("sha256:" + sha256Hex([UInt8](manifest)))
        }
        #expect(server.storedBlobs() == expectedBlobs)

        // Re-pushing a version sends nothing, and its manifest is the same.
        let again = try remote.json("push", "run:2", "--to", repository + ":step-100")
        #expect(again.int("blobsSent") == 0 && again.int("bytesSent") == 0 && again.int("blobsSkipped") == second.count)
        #expect(again["configSent"] as? Bool == false)
        let tags = try remote.json("remote", "ls", repository)
        let listed = try #require(tags["tags"] as? [[String: Any]])
        #expect(listed.compactMap { $0["tag"] as? String } == ["step-100", "step-50"], "\(listed)")
        let step100 = try #require(listed.first { $0["tag"] as? String == "step-100" })
        #expect(step100["digest"] as? String == again["digest"] as? String)
        #expect(step100.int("globalStep") == 100 && step100["kind"] as? String == "checkpoint")

        // Pulled into another run, it is a checkpoint with its step and metrics, exported as a
        // Saver folder; being here already under `run`, it is recorded again only under a new name.
        let pulled = try #require(try remote.json("pull", repository + ":step-100", "copy")["pull"] as? [String: Any])
        #expect(pulled["alreadyHere"] as? Bool == true && pulled["model"] as? String == "run", "the digest is here already: \(pulled)")
        let other = try CLI()
        defer { other.cleanup() }
        let team = RemoteDriver(cli: other)
        let fresh = try #require(try team.json("pull", repository + ":step-100", "copy")["pull"] as? [String: Any])
        #expect(fresh["alreadyHere"] as? Bool == false && fresh.int("chunksPresent") == 0, "\(fresh)")
        let history = try #require(try JSONSerialization.jsonObject(with: team.ok("history", "copy", "--json").stdout) as? [[String: Any]])
        let original = try #require(try JSONSerialization.jsonObject(with: remote.ok("history", "run", "--json").stdout) as? [[String: Any]])
        #expect(history.first?.int("globalStep") == 100 && history.first?["kind"] as? String == "checkpoint")
        #expect(NSDictionary(dictionary: history.first?["metrics"] as? [String: Any] ?? [:])
                == NSDictionary(dictionary: original[1]["metrics"] as? [String: Any] ?? ["missing": true]))
        try team.ok("pull", "copy", "--checkpoint", "-o", other.tmp.path + "/ckpt")
        #expect(FileManager.default.fileExists(atPath: other.tmp.path + "/ckpt/model.ckpt-100.index"))
    }

    /// Bad input: a tampered blob, a tampered config, a foreign manifest, a missing tag, an
    /// emptied repository, a server that is not there.
    @Test func damagedOrMissingRemoteContentFailsClearlyAndChangesNothing() throws {
        let (server, cli, remote) = try RemoteDriver.started()
        defer { cli.cleanup(); server.cleanup() }
        let repository = server.url("team/seed")
        try remote.ok("push", Fixtures.casePath("seed_mlp_train_and_serve"), "seed")
        let layers = try remote.chunks(model: "seed", version: 1)
        let pushed = try remote.json("push", "seed", "--to", repository + ":v1")
        try remote.ok("rm", "seed", "--all")
        try remote.ok("gc")
        let empty = try remote.listing()
        #expect(empty.isEmpty)

        // The config blob's bytes changed on the server: refused before any chunk is fetched.
        let manifest = try OCIHTTP.get(server, "team/seed", "manifests/v1", accept: "application/vnd.oci.image.manifest.v1+json")
        let config = try #require(((try JSONSerialization.jsonObject(with: manifest)) as? [String: Any])?["config"] as? [String: Any])
        let configPath = server.blobPath(try #require(config["digest"] as? String))
        let configBytes = try Data(contentsOf: URL(fileURLWithPath: configPath))
        var tampered = configBytes
        tampered[tampered.count / 2] ^= 0x20
        try tampered.write(to: URL(fileURLWithPath: configPath))
        let badConfig = try remote.run(["pull", repository + ":v1"])
        #expect(badConfig.status == 1 && badConfig.stderr.split(separator: "\n").count == 1, "\(badConfig)")
        #expect(badConfig.stderr.contains("config") && badConfig.stderr.contains("damaged") && badConfig.stderr.contains(config["digest"] as! String))
        #expect(try remote.storedChunks().isDisjoint(with: layers.keys))
        try configBytes.write(to: URL(fileURLWithPath: configPath))

        // A chunk's bytes changed inside its pack on the server: the pull fails naming it and
        // the pack, records no version.
        let packs = try PushedLayers.packs(server, "team/seed", "v1")
        let packPath = server.blobPath(packs[0].digest)
        let original = try Data(contentsOf: URL(fileURLWithPath: packPath))
        let inPack = PushedLayers.chunks(ofPack: original)
        let victimIndex = inPack.count / 2
        let victim = inPack[victimIndex].hash
        let offset = PushedLayers.headerSize(inPack.count) + inPack[..<victimIndex].map(\.size).reduce(0, +)
        var flipped = original
        flipped[offset] ^= 0x01
        try flipped.write(to: URL(fileURLWithPath: packPath))
        let badChunk = try remote.run(["pull", repository + ":v1"])
        #expect(badChunk.status == 1 && badChunk.stderr.split(separator: "\n").count == 1, "\(badChunk)")
        #expect(badChunk.stderr.contains("chunk " + victim.prefix(12)) && badChunk.stderr.contains(packs[0].digest)
                && badChunk.stderr.contains("damaged"), "\(badChunk)")
        #expect(badChunk.out.isEmpty)
        #expect(try remote.listing().isEmpty, "a failed pull records no version")
        #expect(!(try remote.storedChunks().contains(victim)))
        try original.write(to: URL(fileURLWithPath: packPath))
        // Restored, the same pull resumes: the intact chunks the failed one kept are not fetched again.
        let kept = try remote.storedChunks().intersection(layers.keys)
        #expect(!kept.isEmpty)
        let resumed = try #require(try remote.json("pull", repository + ":v1")["pull"] as? [String: Any])
        #expect(resumed.int("chunksPresent") == kept.count && resumed.int("chunks") == layers.count, "\(resumed)")

        // A tag that is not there, a repository that is not there.
        let missing = try remote.run(["pull", repository + ":nosuchtag"])
        #expect(missing.status == 1 && missing.stderr.contains("nosuchtag") && missing.stderr.contains("remote ls"), "\(missing)")
        let unknown = try remote.json("remote", "ls", server.url("nobody/here"))
        #expect((unknown["tags"] as? [Any])?.isEmpty == true)

        // A manifest that is not a model version.
        let foreign = try OCIHTTP.pushForeignImage(server, "team/seed", tag: "an-image")
        let notOurs = try remote.run(["pull", repository + ":an-image"])
        #expect(notOurs.status == 1 && notOurs.stderr.contains("not a model version"), "\(notOurs)")

        // Emptied: every manifest deleted, the server answers "tags": null.
        try OCIHTTP.delete(server, "team/seed", "manifests/" + (pushed["digest"] as! String))
        try OCIHTTP.delete(server, "team/seed", "manifests/" + foreign)
        let raw = try OCIHTTP.get(server, "team/seed", "tags/list")
        #expect(String(decoding: raw, as: UTF8.self).contains("\"tags\":null"))
        let emptied = try remote.json("remote", "ls", repository)
        #expect((emptied["tags"] as? [Any])?.isEmpty == true)
        let text = try remote.ok("remote", "ls", repository)
        #expect(text.out.contains("no tags"))

        // Malformed references and a server that is not there.
        for bad in ["oci://Upper/Case:tag", "oci://host/repo:bad:tag!", "oci://user:pw@host/repo:t", "http://host/repo:t"] {
            let refused = try remote.run(["pull", bad])
            #expect(refused.status != 0 && !refused.stderr.contains("pw@"), "\(bad): \(refused)")
        }
        let port = server.port
        server.stop()
        let down = try remote.run(["pull", "oci+http://127.0.0.1:\(port)/team/seed:v1"])
        #expect(down.status == 1 && down.stderr.contains("cannot reach 127.0.0.1:\(port)") && down.stderr.contains("connection refused"), "\(down)")
        #expect(try remote.listing().count == 1, "only the resumed pull recorded a version")
    }
}

/// Bytes as the CLI prints them (`Output.bytes`).
func formatBytes(_ count: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(count), unit = 0
    while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
    return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
}

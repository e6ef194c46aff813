import Foundation
import RegistryFormat
import Testing
import TestSupport

/// A remote config is checked as a local push checks a folder: versions that could not be
/// exported, or that `verify` would call damaged, are refused at pull with one line naming the
/// remote config, and the registry stays as it was. Each config is a real one, pushed to a
/// real docker-registry, then edited and stored there again under a tag of its own.
@Suite(.enabled(if: OCIServer.enabled, "needs /usr/bin/docker-registry (make deps)"))
struct RemoteImportValidationTests {
    /// The pushed version's manifest and config, as JSON objects.
    struct Pushed {
        let server: OCIServer
        let repository: String
        var manifest: [String: Any]
        var config: [String: Any]

        /// Stores an edited config under `tag` (a new config blob and a manifest naming it).
        func publish(_ config: [String: Any], tag: String) throws {
            let bytes = try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])
            let digest = try OCIHTTP.upload(server, repository, bytes)
            var manifest = self.manifest
            var descriptor = manifest["config"] as! [String: Any]
            descriptor["digest"] = digest
            descriptor["size"] = bytes.count
            manifest["config"] = descriptor
            let body = try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys])
            let response = try OCIHTTP.request("PUT", "http://\(server.host)/v2/\(repository)/manifests/\(tag)", body: body,
                                               headers: ["Content-Type": "application/vnd.oci.image.manifest.v1+json"])
            guard response.status == 201 else { throw TestFailure("PUT manifest \(tag): HTTP \(response.status)") }
        }
    }

    static func pushed(_ remote: RemoteDriver, _ server: OCIServer) throws -> Pushed {
        try remote.ok("push", Fixtures.casePath("seed_mlp_train_and_serve"), "seed")
        try remote.ok("push", "seed", "--to", server.url("team/seed", tag: "good"))
        try remote.ok("rm", "seed", "--all")
        try remote.ok("gc")
        let manifestData = try OCIHTTP.get(server, "team/seed", "manifests/good", accept: "application/vnd.oci.image.manifest.v1+json")
        let manifest = try #require(try JSONSerialization.jsonObject(with: manifestData) as? [String: Any])
        let digest = try #require((manifest["config"] as? [String: Any])?["digest"] as? String)
        let config = try #require(try JSONSerialization.jsonObject(with: OCIHTTP.get(server, "team/seed", "blobs/" + digest)) as? [String: Any])
        return Pushed(server: server, repository: "team/seed", manifest: manifest, config: config)
    }

    /// Rewrites the entry of tensor `index` of a config.
    static func editEntry(_ config: [String: Any], _ index: Int, _ edit: (inout BundleEntry) -> Void) throws -> [String: Any] {
        var config = config
        var tensors = config["tensors"] as! [[String: Any]]
        let key = [UInt8](try #require(Data(base64Encoded: tensors[index]["key"] as! String)))
        let bytes = [UInt8](try #require(Data(base64Encoded: tensors[index]["entry"] as! String)))
        var entry = try BundleEntry(key: key, encodedValue: bytes, file: "test")
        edit(&entry)
        tensors[index]["entry"] = Data(entry.encodedValue).base64EncodedString()
        config["tensors"] = tensors
        return config
    }

    /// The first two tensors that hold bytes (their indices in the config).
    static func dataTensors(_ config: [String: Any]) -> [Int] {
        (config["tensors"] as! [[String: Any]]).indices.filter { (config["tensors"] as! [[String: Any]])[$0]["content"] != nil }
    }

    @Test func configsThatAPushWouldRefuseAreRefusedAtPull() throws {
        let (server, cli, remote) = try RemoteDriver.started()
        defer { cli.cleanup(); server.cleanup() }
        let pushed = try Self.pushed(remote, server)
        let config = pushed.config
        let withData = Self.dataTensors(config)
        try #require(withData.count >= 2)
        var cases: [(String, [String: Any], String)] = []

        cases.append(("crc", try Self.editEntry(config, withData[0]) { $0.maskedCRC32C ^= 0x5A5A }, "crc32c"))
        cases.append(("far-offset", try Self.editEntry(config, withData[0]) { $0.offset = 1 << 62 }, "spread to byte"))
        let second = withData[1]
        let firstOffset = try Self.entry(config, withData[0]).offset
        cases.append(("overlap", try Self.editEntry(config, second) { $0.offset = firstOffset }, "overlaps"))
        var shards = config
        var bundle = shards["bundle"] as! [String: Any]
        bundle["header"] = Data(BundleHeader(numShards: Int32.max).encodedValue).base64EncodedString()
        shards["bundle"] = bundle
        cases.append(("shards", shards, "shards"))
        let fileRow = try #require((config["files"] as! [[String: Any]]).first { $0["content"] != nil })
        for name in ["saved_model.pb", "variables/variables.index"] {
            var reserved = config
            reserved["files"] = (config["files"] as! [[String: Any]]) + [fileRow.merging(["path": name]) { $1 }]
            cases.append(("reserved \(name)", reserved, "which the graph or the bundle writes"))
        }
        var long = config
        var files = config["files"] as! [[String: Any]]
        let index = try #require(files.firstIndex { $0["content"] != nil })
        files[index]["path"] = "assets/" + String(repeating: "a", count: 5000)
        long["files"] = files
        cases.append(("long name", long, "longer than a file system allows"))
        var label = config
        label["labels"] = ["a=b": "c"]
        cases.append(("label key", label, "label key 'a=b' is not a label key"))
        var duplicate = config
        duplicate["tensors"] = (config["tensors"] as! [[String: Any]]) + [(config["tensors"] as! [[String: Any]])[withData[0]]]
        cases.append(("duplicate", duplicate, "UNIQUE constraint failed"))
        var unknown = config
        unknown["surprise"] = [1, 2, 3]
        cases.append(("unknown key", unknown, "unknown top-level key 'surprise'"))

        for (number, (name, edited, message)) in cases.enumerated() {
            try pushed.publish(edited, tag: "bad-\(number)")
            let result = try remote.run(["pull", server.url("team/seed", tag: "bad-\(number)")])
            #expect(result.status == 1 && result.stderr.split(separator: "\n").count == 1, "\(name): \(result)")
            #expect(result.stderr.contains(message), "\(name): \(result.stderr)")
            #expect(result.stderr.contains("config") || name == "crc", "\(name) is not blamed on the remote config: \(result.stderr)")
            #expect(!result.stderr.contains("--label") && !result.stderr.contains("cannot use this registry database"), "\(name): \(result.stderr)")
            #expect(try remote.listing().isEmpty, "\(name): a version was recorded")
        }
        // The unedited config still pulls, and verifies.
        try remote.ok("pull", server.url("team/seed", tag: "good"))
        try remote.ok("verify")
    }

    static func entry(_ config: [String: Any], _ index: Int) throws -> BundleEntry {
        let row = (config["tensors"] as! [[String: Any]])[index]
        return try BundleEntry(key: [UInt8](Data(base64Encoded: row["key"] as! String)!), encodedValue: [UInt8](Data(base64Encoded: row["entry"] as! String)!), file: "test")
    }

    /// `pull oci://… NAME -o DIR` whose export fails records no version.
    @Test func aPullWhoseExportFailsRecordsNothing() throws {
        let (server, cli, remote) = try RemoteDriver.started()
        defer { cli.cleanup(); server.cleanup() }
        _ = try Self.pushed(remote, server)
        let blocker = cli.tmp.path + "/not-a-folder"
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let failed = try remote.run(["pull", server.url("team/seed", tag: "good"), "copy", "-o", blocker + "/out"])
        #expect(failed.status == 1 && failed.stderr.split(separator: "\n").count == 1, "\(failed)")
        #expect(try remote.listing().isEmpty, "the export failed, yet the version was kept")
        let done = try remote.json("pull", server.url("team/seed", tag: "good"), "copy", "-o", cli.tmp.path + "/out")
        #expect((done["export"] as? [String: Any])?["path"] as? String == cli.tmp.path + "/out")
        #expect(try Tree(cli.tmp.path + "/out") == Tree(Fixtures.casePath("seed_mlp_train_and_serve")))
    }

    /// `gc` in a loop beside a pull: the chunks the pull committed stay until its version lands.
    @Test func aPullCompletesWhileGCRunsInALoop() throws {
        let (server, cli, remote) = try RemoteDriver.started()
        defer { cli.cleanup(); server.cleanup() }
        let folder = try largeSavedModel(in: cli.tmp.path, megabytes: 64)
        try remote.ok("push", folder, "big")
        try remote.ok("push", "big", "--to", server.url("team/big", tag: "v1"))
        try remote.ok("rm", "big", "--all")
        try remote.ok("gc")
        let pulling = try remote.start(["pull", server.url("team/big", tag: "v1")])
        var collections = 0
        var failures: [ProcessResult] = []
        while pulling.isRunning {
            let gc = try remote.run(["gc"])
            if gc.status != 0 { failures.append(gc) }
            collections += 1
        }
        let pulled = try pulling.wait()
        #expect(pulled.status == 0, "the pull did not survive gc: \(pulled)")
        #expect(failures.isEmpty, "\(failures)")
        #expect(collections >= 1)
        try remote.ok("gc")
        try remote.ok("verify")
        try remote.ok("pull", "big", "-o", cli.tmp.path + "/out")
        #expect(try fileBytes(cli.tmp.path + "/out/assets/weights.bin") == fileBytes(folder + "/assets/weights.bin"))
    }
}

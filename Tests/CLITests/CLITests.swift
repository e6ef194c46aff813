import Foundation
import GRDB
import Testing
@testable import Registry

/// The `registry` executable end to end: every verb run as a child process against a
/// registry in a temporary folder, checking what it prints, its exit status and what it
/// leaves on disk.
@Suite struct CLITests {
    // MARK: - Round trip of every SavedModel case

    /// A writable copy of a fixture case with the empty folders the manifest lists recreated
    /// (git does not keep them), so that empty folders are part of what is pushed.
    static func preparedCase(_ name: String, in folder: String) throws -> String {
        let copy = folder + "/src-" + name
        try writableCopy(of: Fixtures.casePath(name), to: copy)
        for dir in Fixtures.cases[name]?["dirs"] as? [String] ?? [] {
            try FileManager.default.createDirectory(atPath: copy + "/" + dir, withIntermediateDirectories: true)
        }
        return copy
    }

    /// Pushes `source` as `model` and pulls it to `output`; requires both to succeed.
    static func pushAndPull(_ cli: CLI, source: String, model: String, output: String) throws {
        let pushed = try cli.json("push", source, model) as? [String: Any]
        #expect(pushed?["model"] as? String == model)
        try cli.ok("pull", model, "-o", output)
    }

    @Test func manifestAndBinaryArePresent() throws {
        #expect(Fixtures.savedModelCases.count >= 10, "fixtures not found at \(Fixtures.root)")
        let binary = try #require(RegistryBinary.path, "registry binary not found")
        let help = try runProcess(binary, ["--help"])
        #expect(help.status == 0)
        #expect(help.out.contains("push"), "\(help)")
    }

    @Test(arguments: Fixtures.savedModelCases)
    func pushThenPullIsByteIdentical(name: String) throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let source = try Self.preparedCase(name, in: cli.tmp.path)
        let output = cli.tmp.path + "/out"
        try Self.pushAndPull(cli, source: source, model: name, output: output)

        let original = try Tree(source), copy = try Tree(output)
        #expect(original.files == copy.files, "\(name): file lists differ: \(original) vs \(copy)")
        #expect(original.folders == copy.folders, "\(name): folder lists differ: \(original) vs \(copy)")
        let manifestDirs = Set(Fixtures.cases[name]?["dirs"] as? [String] ?? [])
        #expect(manifestDirs.isSubset(of: Set(copy.folders)), "\(name): manifest folders \(manifestDirs) missing from \(copy.folders)")
        let manifestFiles = Set((Fixtures.cases[name]?["files"] as? [String: Any] ?? [:]).keys)
        #expect(manifestFiles == Set(copy.files), "\(name): pulled files differ from the manifest's")
        if manifestFiles.contains("fingerprint.pb") {
            #expect(copy.files.contains("fingerprint.pb"), "\(name): fingerprint.pb not pulled")
        }
        for file in original.files {
            let same = try fileBytes(source + "/" + file) == fileBytes(output + "/" + file)
            #expect(same, "\(name)/\(file) differs after push and pull")
        }
    }

    @Test(.enabled(if: TensorFlowOracle.enabled), arguments: Fixtures.savedModelCases)
    func pulledModelIsTheSameModelToTensorFlow(name: String) throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let output = cli.tmp.path + "/out"
        try Self.pushAndPull(cli, source: Fixtures.casePath(name), model: name, output: output)
        let same = try TensorFlowOracle.run(["same", Fixtures.casePath(name), output])
        #expect(same.status == 0, "tfcheck same \(name): \(same)")
    }

    // MARK: - pull --tags

    @Test func pullWithTagsKeepsOnlyThatMetaGraph() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let source = Fixtures.casePath("seed_mlp_train_and_serve")
        try cli.ok("push", source, "seed")
        let output = cli.tmp.path + "/serve"
        let pulled = try #require(try cli.json("pull", "seed", "-o", output, "--tags", "serve") as? [String: Any])
        #expect(pulled["tagSets"] as? [String] == ["serve"])
        #expect(pulled["version"] as? Int == 1)
        #expect(pulled["model"] as? String == "seed")
        #expect(pulled["path"] as? String == output)

        let inspected = try #require(try cli.json("inspect", output) as? [String: Any])
        let graphs = try #require(inspected["graphs"] as? [[String: Any]])
        #expect(graphs.count == 1)
        #expect(graphs.first?["tags"] as? [String] == ["serve"])
        #expect(graphs.first?["signatures"] as? [String] == ["serving_default"])
        // The variables and assets come along unchanged; fingerprint.pb would be dropped.
        for file in ["variables/variables.data-00000-of-00001", "variables/variables.index", "assets/vocab.txt",
                     "assets.extra/example_inputs.npz"] {
            let same = try fileBytes(source + "/" + file) == fileBytes(output + "/" + file)
            #expect(same, "\(file) differs")
        }
        #expect(!FileManager.default.fileExists(atPath: output + "/fingerprint.pb"))
        // The whole model has both meta graphs, in their original order.
        let full = try #require(try cli.json("pull", "seed", "-o", cli.tmp.path + "/full") as? [String: Any])
        #expect(full["tagSets"] as? [String] == ["train", "serve"])
        // A tag set the version lacks is an error naming what it has, and writes nothing.
        let missing = try cli.run("pull", "seed", "-o", cli.tmp.path + "/gpu", "--tags", "serve,gpu")
        #expect(missing.status == 1, "\(missing)")
        #expect(missing.stderr.contains("gpu") && missing.stderr.contains("{train}"), "\(missing)")
        #expect(!FileManager.default.fileExists(atPath: cli.tmp.path + "/gpu"))

        // fingerprint.pb fingerprints the full graph set: kept by a full pull, dropped by --tags.
        try cli.ok("push", Fixtures.casePath("keras_tf2"), "keras")
        try cli.ok("pull", "keras", "-o", cli.tmp.path + "/keras-full")
        try cli.ok("pull", "keras", "-o", cli.tmp.path + "/keras-serve", "--tags", "serve")
        #expect(FileManager.default.fileExists(atPath: cli.tmp.path + "/keras-full/fingerprint.pb"))
        #expect(!FileManager.default.fileExists(atPath: cli.tmp.path + "/keras-serve/fingerprint.pb"))
        let sameGraph = try fileBytes(cli.tmp.path + "/keras-serve/saved_model.pb") == fileBytes(Fixtures.casePath("keras_tf2") + "/saved_model.pb")
        #expect(sameGraph, "keeping the only meta graph rebuilds the same saved_model.pb")
    }

    @Test(.enabled(if: TensorFlowOracle.enabled))
    func servingSubsetLoadsAndRunsInTensorFlow() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let fixture = Fixtures.casePath("seed_mlp_train_and_serve")
        try cli.ok("push", fixture, "seed")
        let output = cli.tmp.path + "/serve"
        try cli.ok("pull", "seed", "-o", output, "--tags", "serve")
        let check = try TensorFlowOracle.run(["check", output])
        #expect(check.status == 0, "tfcheck check: \(check)")
        let result = cli.tmp.path + "/outputs.npz"
        let run = try TensorFlowOracle.run(["run", output, "--tags", "serve", "--signature", "serving_default",
                                            "--input", fixture + "/assets.extra/example_inputs.npz", "--output", result])
        #expect(run.status == 0, "tfcheck run: \(run)")
        // What TensorFlow computes from the pulled model is what it computed from the original.
        let compare = try TensorFlowOracle.python("""
            import sys, numpy as np
            a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
            assert sorted(a.files) == sorted(b.files), (a.files, b.files)
            for k in a.files:
                assert a[k].shape == b[k].shape and np.allclose(a[k], b[k], rtol=1e-5, atol=1e-6), k
            """, [result, fixture + "/assets.extra/expected_outputs.npz"])
        #expect(compare.status == 0, "outputs differ from expected_outputs.npz: \(compare)")
    }

    // MARK: - --json field names

    @Test func jsonOutputsHaveTheDocumentedFields() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let source = Fixtures.casePath("seed_mlp_train_and_serve")
        let push = try #require(try cli.json("push", source, "seed", "--label", "data=random", "--alias", "prod") as? [String: Any])
        #expect(Set(push.keys) == ["model", "version", "tensors", "files", "statistics"])
        #expect(push["model"] as? String == "seed")
        #expect(push["version"] as? Int == 1)
        #expect(push["tensors"] as? Int == 21)
        #expect(push["files"] as? Int == 3)
        let statistics = try #require(push["statistics"] as? [String: Any])
        #expect(Set(statistics.keys) == ["rawBytes", "storedBytes", "dedupBytes", "newChunks", "reusedChunks"])
        #expect((statistics["rawBytes"] as? Int ?? 0) > 0)
        #expect((statistics["storedBytes"] as? Int ?? 0) > 0)
        #expect((statistics["newChunks"] as? Int ?? 0) > 0)
        #expect(statistics["dedupBytes"] is Int && statistics["reusedChunks"] is Int)

        let second = try #require(try cli.json("push", source, "seed", "--parent", "seed:1", "--label", "run=2") as? [String: Any])
        #expect(second["version"] as? Int == 2)
        try cli.ok("push", Fixtures.casePath("keras_tf2"), "keras")

        let required: Set<String> = ["model", "version", "createdAt", "kind", "tagSets", "labels", "aliases", "tensors", "tensorBytes"]
        let allowed = required.union(["source", "parent", "run", "globalStep", "metrics"])
        func checkSummary(_ row: [String: Any]) {
            let keys = Set(row.keys)
            #expect(required.isSubset(of: keys), "missing \(required.subtracting(keys))")
            #expect(keys.isSubset(of: allowed), "unexpected \(keys.subtracting(allowed))")
            #expect((row["createdAt"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) } != nil, "createdAt \(row["createdAt"] ?? "nil")")
            #expect(row["kind"] as? String == "saved_model")
            #expect(row["labels"] is [String: Any])
            #expect(row["aliases"] is [Any])
            #expect((row["tensorBytes"] as? Int ?? 0) > 0)
        }

        let listed = try #require(try cli.json("ls") as? [[String: Any]])
        #expect(listed.count == 3)
        listed.forEach(checkSummary)
        #expect(listed.map { "\($0["model"] as? String ?? "?"):\($0["version"] as? Int ?? 0)" } == ["keras:1", "seed:1", "seed:2"])
        let seed1 = listed[1]
        #expect(seed1["tagSets"] as? [String] == ["train", "serve"])
        #expect(seed1["labels"] as? [String: String] == ["data": "random"])
        #expect(seed1["aliases"] as? [String] == ["prod"])
        #expect(seed1["tensors"] as? Int == 21)
        #expect(seed1["source"] as? String == URL(fileURLWithPath: source).standardizedFileURL.path)
        #expect(listed[2]["parent"] as? String == "seed:1")
        #expect(listed[2]["labels"] as? [String: String] == ["run": "2"])
        #expect(listed[0]["tagSets"] as? [String] == ["serve"])

        let filtered = try #require(try cli.json("ls", "--tags", "serve") as? [[String: Any]])
        #expect(filtered.count == 3, "both seed versions have a {serve} graph, keras too")
        let bySignature = try #require(try cli.json("ls", "--signature", "serve") as? [[String: Any]])
        #expect(bySignature.map { $0["model"] as? String } == ["keras"])
        let byLabel = try #require(try cli.json("ls", "--label", "data=random", "--tag", "train") as? [[String: Any]])
        #expect(byLabel.map { $0["version"] as? Int } == [1])
        let latest = try #require(try cli.json("ls", "--latest") as? [[String: Any]])
        #expect(latest.map { $0["version"] as? Int } == [1, 2])

        let history = try #require(try cli.json("history", "seed") as? [[String: Any]])
        #expect(history.count == 2)
        history.forEach(checkSummary)
        #expect(history.map { $0["version"] as? Int } == [1, 2])

        let show = try #require(try cli.json("show", "seed@prod") as? [String: Any])
        #expect(Set(show.keys) == ["summary", "metaGraphs", "tensors", "files", "lineage"])
        let summary = try #require(show["summary"] as? [String: Any])
        checkSummary(summary)
        #expect(summary["version"] as? Int == 1)
        let graphs = try #require(show["metaGraphs"] as? [[String: Any]])
        #expect(graphs.map { $0["tags"] as? [String] } == [["train"], ["serve"]])
        for graph in graphs { #expect(Set(graph.keys) == ["tags", "signatures", "collections"]) }
        let signatures = try #require(graphs[1]["signatures"] as? [[String: Any]])
        #expect(signatures.count == 1)
        let signature = try #require(signatures.first)
        #expect(Set(signature.keys) == ["key", "method", "inputs", "outputs"])
        #expect(signature["key"] as? String == "serving_default")
        #expect(signature["method"] as? String == "tensorflow/serving/predict")
        let inputs = try #require(signature["inputs"] as? [[String: Any]])
        #expect(inputs.count == 1)
        #expect(inputs.first.map { Set($0.keys) } == ["key", "name", "dtype", "shape"])
        #expect(inputs.first?["key"] as? String == "x")
        #expect(inputs.first?["name"] as? String == "input_layer:0")
        #expect(inputs.first?["dtype"] as? String == "float32")
        #expect(inputs.first?["shape"] as? [Int] == [-1, 28])
        let outputs = try #require(signature["outputs"] as? [[String: Any]])
        #expect(outputs.map { $0["key"] as? String } == ["classes", "logits"])
        #expect(outputs.map { $0["dtype"] as? String } == ["int64", "float32"])
        #expect(outputs.last?["shape"] as? [Int] == [-1, 5])
        let collections = try #require(graphs[1]["collections"] as? [[String: Any]])
        #expect(collections.contains { $0["key"] as? String == "saved_model_assets" })
        let tensors = try #require(show["tensors"] as? [[String: Any]])
        #expect(tensors.count == 21)
        for tensor in tensors { #expect(Set(tensor.keys) == ["name", "dtype", "shape", "bytes", "shard"]) }
        let kernel = tensors.first { $0["name"] as? String == "hideen_layer_2/kernel" }
        #expect(kernel?["dtype"] as? String == "float32")
        #expect(kernel?["shape"] as? [Int] == [64, 64])
        #expect(kernel?["bytes"] as? Int == 16384)
        let files = try #require(show["files"] as? [[String: Any]])
        #expect(files.map { $0["path"] as? String ?? "" } == ["assets.extra/example_inputs.npz", "assets.extra/expected_outputs.npz", "assets/vocab.txt"])
        #expect(files.first { $0["path"] as? String == "assets/vocab.txt" }?["bytes"] as? Int == 40)
        #expect(show["lineage"] as? [String] == ["seed:1"])
        let show2 = try #require(try cli.json("show", "seed") as? [String: Any])
        #expect(show2["lineage"] as? [String] == ["seed:2", "seed:1"])

        let diff = try #require(try cli.json("diff", "seed:1", "seed:2") as? [String: Any])
        #expect(Set(diff.keys) == ["from", "to", "added", "removed", "changed", "unchanged"])
        #expect(diff["unchanged"] as? Int == 21)
        #expect((diff["changed"] as? [Any])?.isEmpty == true)

        let verify = try #require(try cli.json("verify") as? [String: Any])
        #expect(Set(verify.keys) == ["versions", "tensors", "files", "chunks", "bytes", "problems"])
        #expect(verify["versions"] as? Int == 3)
        #expect((verify["problems"] as? [Any])?.isEmpty == true)

        let gc = try #require(try cli.json("gc") as? [String: Any])
        #expect(Set(gc.keys) == ["contentsRemoved", "chunksRemoved", "bytesFreed", "fileBytesBefore", "fileBytesAfter"])
        #expect(gc["chunksRemoved"] as? Int == 0)

        let pull = try #require(try cli.json("pull", "seed:1", "-o", cli.tmp.path + "/p") as? [String: Any])
        #expect(Set(pull.keys) == ["model", "version", "path", "bytes", "tagSets"])
        #expect((pull["bytes"] as? Int ?? 0) > 0)
    }

    // MARK: - Exit statuses

    @Test func usageErrorsExit64() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        for arguments in [["ls", "--no-such-option"], ["push", "--bogus", "x", "y"], ["pull", "m"],  // -o is required
                          ["alias", "m@prod"],  // neither a version nor --delete
                          ["no-such-verb"]] {
            let result = try cli.run(arguments)
            #expect(result.status == 64, "registry \(arguments.joined(separator: " ")): \(result)")
        }
        // None of that created models.
        let listed = try #require(try cli.json("ls") as? [Any])
        #expect(listed.isEmpty)
    }

    @Test func pullingAMissingModelFailsWithOneLine() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let output = cli.tmp.path + "/out"
        let result = try cli.run("pull", "nosuchmodel", "-o", output)
        #expect(result.status == 1, "\(result)")
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("nosuchmodel"))
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: output))

        try cli.ok("push", Fixtures.casePath("keras_tf2"), "k")
        for (reference, word) in [("k:7", "7"), ("k@prod", "prod")] {
            let missing = try cli.run("pull", reference, "-o", output)
            #expect(missing.status == 1, "\(missing)")
            #expect(missing.stderr.split(separator: "\n").count == 1 && missing.stderr.contains(word), "\(missing)")
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func pullRefusesAnExistingFolderUnlessForced() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let source = Fixtures.casePath("keras_tf2")
        try cli.ok("push", source, "k")
        let output = cli.tmp.path + "/out"
        try FileManager.default.createDirectory(atPath: output + "/keep", withIntermediateDirectories: true)
        let marker: [UInt8] = Array("do not touch\n".utf8)
        FileManager.default.createFile(atPath: output + "/marker.txt", contents: Data(marker))
        let before = try Tree(output)

        let refused = try cli.run("pull", "k", "-o", output)
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("--force"), "\(refused)")
        #expect(try Tree(output) == before)
        #expect(try fileBytes(output + "/marker.txt") == marker)
        // No staging folder is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.tmp.path).sorted() == ["out", "reg"])

        try cli.ok("pull", "k", "-o", output, "--force")
        #expect(try Tree(output) == Tree(source))
        #expect(!FileManager.default.fileExists(atPath: output + "/marker.txt"))
        let same = try fileBytes(source + "/variables/variables.data-00000-of-00001") == fileBytes(output + "/variables/variables.data-00000-of-00001")
        #expect(same)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.tmp.path).sorted() == ["out", "reg"])
    }

    // MARK: - A failed push changes nothing

    @Test func aFailedPushLeavesTheRegistryAsItWas() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("keras_tf2"), "k", "--alias", "prod")
        try cli.ok("push", Fixtures.casePath("seed_mlp_training"), "big")

        let damaged = cli.tmp.path + "/large"
        try writableCopy(of: Fixtures.casePath("large_weights"), to: damaged)
        let shard = damaged + "/variables/variables.data-00000-of-00001"
        var bytes = try fileBytes(shard)
        let offset = bytes.count * 3 / 4
        bytes[offset] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: shard))
        let index = try BundleIndex.decode(try fileBytes(damaged + "/variables/variables.index"), file: "variables.index")
        let hit = try #require(index.entries.first { Int64(offset) >= $0.offset && Int64(offset) < $0.offset + $0.size })

        let listBefore = try cli.run("ls", "--json")
        let verifyBefore = try #require(try cli.json("verify") as? [String: Any])
        let sizeBefore = fileSize(cli.database)

        let failed = try cli.run("push", damaged, "big", "--label", "x=y", "--alias", "prod")
        #expect(failed.status == 1, "\(failed)")
        let message = failed.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!message.contains("\n"), "one line: \(failed.stderr)")
        #expect(message.contains("crc32c"), "\(failed.stderr)")
        #expect(message.contains(hit.displayName), "should name entry \(hit.displayName): \(failed.stderr)")
        #expect(message.contains("variables.data-00000-of-00001"), "should name the file: \(failed.stderr)")

        let listAfter = try cli.run("ls", "--json")
        #expect(listAfter.status == 0)
        #expect(listAfter.out == listBefore.out, "ls changed:\n\(listBefore.out)\n---\n\(listAfter.out)")
        let verifyAfter = try #require(try cli.json("verify") as? [String: Any])
        #expect(verifyAfter["chunks"] as? Int == verifyBefore["chunks"] as? Int, "chunks were added by a failed push")
        #expect(verifyAfter["versions"] as? Int == 2)
        #expect((verifyAfter["problems"] as? [Any])?.isEmpty == true)
        // The bytes of the rolled-back transaction left the file no larger than a few pages.
        #expect(fileSize(cli.database) - sizeBefore < 64 * 1024, "db grew from \(sizeBefore) to \(fileSize(cli.database))")
        let history = try #require(try cli.json("history", "big") as? [[String: Any]])
        #expect(history.count == 1)
        let show = try #require(try cli.json("show", "k@prod") as? [String: Any])
        #expect((show["summary"] as? [String: Any])?["model"] as? String == "k")
        // And the same folder undamaged pushes fine afterwards.
        try cli.ok("push", Fixtures.casePath("large_weights"), "big")
    }

    // MARK: - Aliases, rm and gc

    @Test func aliasesMoveAndDelete() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("keras_tf2"), "m")
        try cli.ok("push", Fixtures.casePath("keras_tf2_saved_model_save"), "m")

        let set = try cli.ok("alias", "m@prod", "1")
        #expect(set.out.contains("m@prod -> m:1"), "\(set)")
        let pulled = try #require(try cli.json("pull", "m@prod", "-o", cli.tmp.path + "/prod1") as? [String: Any])
        #expect(pulled["version"] as? Int == 1)
        let same1 = try fileBytes(cli.tmp.path + "/prod1/saved_model.pb") == fileBytes(Fixtures.casePath("keras_tf2") + "/saved_model.pb")
        #expect(same1)

        try cli.ok("alias", "m@prod", "2")
        let moved = try #require(try cli.json("pull", "m@prod", "-o", cli.tmp.path + "/prod2") as? [String: Any])
        #expect(moved["version"] as? Int == 2)
        let same2 = try fileBytes(cli.tmp.path + "/prod2/saved_model.pb") == fileBytes(Fixtures.casePath("keras_tf2_saved_model_save") + "/saved_model.pb")
        #expect(same2)
        let listed = try #require(try cli.json("history", "m") as? [[String: Any]])
        #expect(listed.map { $0["aliases"] as? [String] ?? ["?"] } == [[], ["prod"]])

        let toMissing = try cli.run("alias", "m@prod", "3")
        #expect(toMissing.status == 1, "\(toMissing)")
        let show = try #require(try cli.json("show", "m@prod") as? [String: Any])
        #expect((show["summary"] as? [String: Any])?["version"] as? Int == 2, "a failed move leaves the alias where it was")

        try cli.ok("alias", "--delete", "m@prod")
        let gone = try cli.run("pull", "m@prod", "-o", cli.tmp.path + "/prod3")
        #expect(gone.status == 1)
        #expect(gone.stderr.contains("prod"), "\(gone)")
        let deleteAgain = try cli.run("alias", "--delete", "m@prod")
        #expect(deleteAgain.status == 1, "\(deleteAgain)")
        // `@latest` is implicit.
        let latest = try #require(try cli.json("show", "m@latest") as? [String: Any])
        #expect((latest["summary"] as? [String: Any])?["version"] as? Int == 2)
    }

    @Test func removeThenGCFreesTheVersionsUniqueBytes() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let pushA = try #require(try cli.json("push", Fixtures.casePath("large_weights"), "a") as? [String: Any])
        try cli.ok("push", Fixtures.casePath("keras_tf2"), "b")
        let storedA = (pushA["statistics"] as? [String: Any])?["storedBytes"] as? Int ?? 0
        #expect(storedA > 4_000_000, "large_weights stores several MB even compressed: \(pushA)")
        let sizeBefore = fileSize(cli.database)

        let latestRefused = try cli.run("rm", "a")
        #expect(latestRefused.status == 64, "rm needs NAME:N, NAME@ALIAS or --all: \(latestRefused)")
        try cli.ok("rm", "a:1")
        let again = try cli.run("rm", "a:1")
        #expect(again.status == 1, "\(again)")
        let listed = try #require(try cli.json("ls") as? [[String: Any]])
        #expect(listed.map { $0["model"] as? String } == ["b"])
        #expect(fileSize(cli.database) >= sizeBefore - 64 * 1024, "rm alone frees nothing")

        let gc = try #require(try cli.json("gc") as? [String: Any])
        let freed = gc["bytesFreed"] as? Int ?? 0
        #expect(freed >= storedA * 99 / 100, "gc freed \(freed), push stored \(storedA)")
        #expect((gc["chunksRemoved"] as? Int ?? 0) > 0)
        #expect((gc["contentsRemoved"] as? Int ?? 0) > 0)
        let before = gc["fileBytesBefore"] as? Int ?? 0, after = gc["fileBytesAfter"] as? Int ?? 0
        #expect(before - after >= freed * 9 / 10, "file \(before) -> \(after), freed \(freed)")
        let sizeAfter = fileSize(cli.database)
        #expect(sizeBefore - sizeAfter >= Int64(freed) * 9 / 10, "db file \(sizeBefore) -> \(sizeAfter)")

        // What is left is intact and still pulls byte-identical.
        try cli.ok("verify")
        try cli.ok("pull", "b", "-o", cli.tmp.path + "/b")
        let same = try fileBytes(cli.tmp.path + "/b/variables/variables.data-00000-of-00001")
            == fileBytes(Fixtures.casePath("keras_tf2") + "/variables/variables.data-00000-of-00001")
        #expect(same)
        let second = try #require(try cli.json("gc") as? [String: Any])
        #expect(second["bytesFreed"] as? Int == 0)

        try cli.ok("rm", "b", "--all")
        let empty = try #require(try cli.json("ls") as? [Any])
        #expect(empty.isEmpty)
    }

    // MARK: - Dedup

    @Test func pushingTheSameModelTwiceCostsUnderOnePercent() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let first = try #require(try cli.json("push", Fixtures.casePath("large_weights"), "w") as? [String: Any])
        let sizeAfterFirst = fileSize(cli.database)
        let second = try #require(try cli.json("push", Fixtures.casePath("large_weights"), "w") as? [String: Any])
        let sizeAfterSecond = fileSize(cli.database)
        let s1 = try #require(first["statistics"] as? [String: Any]), s2 = try #require(second["statistics"] as? [String: Any])
        let stored1 = s1["storedBytes"] as? Int ?? 0, stored2 = s2["storedBytes"] as? Int ?? -1
        #expect(stored1 > 0)
        #expect(stored2 * 100 < stored1, "second push stored \(stored2) of \(stored1)")
        #expect(s2["dedupBytes"] as? Int == s2["rawBytes"] as? Int)
        #expect(s2["newChunks"] as? Int == 0)
        #expect((sizeAfterSecond - sizeAfterFirst) * 100 < sizeAfterFirst, "db file \(sizeAfterFirst) -> \(sizeAfterSecond)")
        #expect(second["version"] as? Int == 2)
        // The same bytes under another model name are free too.
        let other = try #require(try cli.json("push", Fixtures.casePath("large_weights"), "w2") as? [String: Any])
        #expect((other["statistics"] as? [String: Any])?["storedBytes"] as? Int ?? -1 == 0)
    }

    // MARK: - verify

    @Test func verifyFindsAFlippedBitInAStoredChunk() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("keras_tf2"), "k")
        try cli.ok("push", Fixtures.casePath("seed_mlp_train_and_serve"), "s")
        let healthy = try cli.ok("verify")
        #expect(healthy.out.contains("all intact"), "\(healthy)")
        try cli.ok("verify", "s:1")

        // Flip one bit in the middle of the chunk holding one tensor of s:1.
        let tensor = "hideen_layer_2/kernel"
        do {
            let queue = try DatabaseQueue(path: cli.database)
            try queue.write { db in
                let row = try #require(try Row.fetchOne(db, sql: """
                    SELECT chunks.id, chunks.data FROM chunks
                    JOIN content_chunks cc ON cc.chunk_id = chunks.id
                    JOIN tensors t ON t.content_id = cc.content_id
                    JOIN versions v ON v.id = t.version_id JOIN models m ON m.id = v.model_id
                    WHERE m.name = 's' AND v.number = 1 AND t.name = ?
                    """, arguments: [tensor]))
                var data = [UInt8](row["data"] as Data)
                data[data.count / 2] ^= 0x04
                try db.execute(sql: "UPDATE chunks SET data = ? WHERE id = ?", arguments: [Data(data), row["id"] as Int64])
                #expect(db.changesCount == 1)
            }
        }

        let damaged = try cli.run("verify")
        #expect(damaged.status == 1, "\(damaged)")
        #expect(damaged.out.contains("DAMAGED s:1 tensor '\(tensor)'"), "\(damaged)")
        #expect(!damaged.out.contains("DAMAGED k:"), "\(damaged)")
        let report = try cli.run("verify", "--json")
        #expect(report.status == 1)
        let json = try #require(try report.json() as? [String: Any])
        let problems = try #require(json["problems"] as? [[String: Any]])
        #expect(!problems.isEmpty)
        #expect(problems.allSatisfy { $0["model"] as? String == "s" && $0["version"] as? Int == 1 }, "\(problems)")
        #expect(problems.contains { ($0["item"] as? String)?.contains(tensor) == true }, "\(problems)")
        // Checking only the healthy version passes; the damaged one fails.
        try cli.ok("verify", "k")
        #expect(try cli.run("verify", "s").status == 1)
        // Pulling the damaged version fails and leaves nothing behind.
        let pull = try cli.run("pull", "s", "-o", cli.tmp.path + "/s")
        #expect(pull.status == 1, "\(pull)")
        #expect(!FileManager.default.fileExists(atPath: cli.tmp.path + "/s"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.tmp.path).sorted() == ["reg"])
    }
}

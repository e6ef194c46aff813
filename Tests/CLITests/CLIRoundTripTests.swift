import Foundation
import Testing
import TestSupport

/// The `registry` executable end to end, run as a child process against a registry in a
/// temporary folder: what `push` then `pull` (whole, or `--tags`) leaves on disk is the
/// fixture, byte for byte and to TensorFlow.
@Suite struct CLIRoundTripTests {
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
        let help = try runProcess(binary, ["--help"], environment: RegistryBinary.environment)
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
        let compare = try TensorFlowOracle.runScript("""
            import sys, numpy as np
            a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
            assert sorted(a.files) == sorted(b.files), (a.files, b.files)
            for k in a.files:
                assert a[k].shape == b[k].shape and np.allclose(a[k], b[k], rtol=1e-5, atol=1e-6), k
            """, [result, fixture + "/assets.extra/expected_outputs.npz"])
        #expect(compare.status == 0, "outputs differ from expected_outputs.npz: \(compare)")
    }
}

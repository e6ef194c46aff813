import Foundation
import RegistryFormat
import Testing
import TestSupport

/// `registry serving sync`, end to end through the binary: what it publishes loads and serves
/// in real TensorFlow 2.21 and the config it writes is read by tensorflow-serving-api's own
/// protos; a second sync writes nothing; a moved alias moves its label in two config writes
/// (never naming a folder that is not there) under `--watch`; bad input is refused by name
/// and leaves the base path and the config as they were.
@Suite(.serialized) struct ServingSyncTests {
    static let seed = Fixtures.casePath("seed_mlp_train_and_serve")
    static let keras = Fixtures.casePath("keras_tf2")

    // MARK: - Published versions serve in TensorFlow; the config is TF Serving's

    @Test(.enabled(if: TensorFlowOracle.enabled))
    func publishedVersionsServeAndTheConfigParsesInTFServingsProtos() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Self.seed, "seed", "--alias", "prod")
        try cli.ok("push", Self.keras, "seed", "--alias", "canary")
        try cli.ok("push", Self.seed, "seed")
        try cli.ok("push", Self.seed, "seed")
        try cli.ok("rm", "seed:3")
        try cli.ok("train", "r", "--epochs", "2", "--save-every", "50")
        let base = cli.tmp.path + "/models/seed", runBase = cli.tmp.path + "/models/r", config = cli.tmp.path + "/models.config"
        try FileManager.default.createDirectory(atPath: cli.tmp.path + "/models", withIntermediateDirectories: true)
        let other = "model_config_list {\n  config {\n    name: \"other\"\n    base_path: \"/srv/other\"\n    model_platform: \"tensorflow\"\n"
            + "    logging_config {\n      sampling_config {\n        sampling_rate: 0.5\n      }\n    }\n  }\n}\n"
        try Data(other.utf8).write(to: URL(fileURLWithPath: config))

        let first = try cli.ok("serving", "sync", "seed", base, "--config", config, "--label-delay", "0")
        #expect(first.out == """
            seed in \(base): versions 1 2 4; wrote 1 2 4 (\(Self.size(first.out)))
            config \(config): versions 1 2 4, labels canary=2 prod=1

            """, "\(first)")
        let run = try cli.json("serving", "sync", "r", runBase, "--config", config, "--latest", "2", "--label-delay", "0") as? [String: Any]
        #expect(run?["written"] as? [Int] == [1, 2] && run?["selected"] as? [Int] == [1, 2], "\(String(describing: run))")

        let checked = try ServingTensorFlow.check(folders: [
            (base + "/1", Self.seed + "/assets.extra/example_inputs.npz", Self.seed + "/assets.extra/expected_outputs.npz"),
            (base + "/2", Self.keras + "/assets.extra/example_inputs.npz", Self.keras + "/assets.extra/expected_outputs.npz"),
            (base + "/4", Self.seed + "/assets.extra/example_inputs.npz", Self.seed + "/assets.extra/expected_outputs.npz"),
            (runBase + "/1", Self.seed + "/assets.extra/example_inputs.npz", nil),
            (runBase + "/2", Self.seed + "/assets.extra/example_inputs.npz", nil),
        ], configs: [config])
        for (folder, outcome) in checked.outputs { #expect(!outcome.hasPrefix("FAILED"), "\(folder): \(outcome)") }
        #expect(checked.outputs[runBase + "/2"] == "logits [4, 5]", "\(checked.outputs)")
        let entries = try #require((checked.configs.first?["model_config_list"] as? [String: Any])?["config"] as? [[String: Any]])
        #expect(entries.map { $0["name"] as? String } == ["other", "seed", "r"])
        #expect(((entries[0]["logging_config"] as? [String: Any])?["sampling_config"] as? [String: Double]) == ["sampling_rate": 0.5])
        for (entry, folder) in zip(entries.dropFirst(), [base, runBase]) {
            #expect(entry["base_path"] as? String == folder && entry["model_platform"] as? String == "tensorflow")
            let versions = ((entry["model_version_policy"] as? [String: Any])?["specific"] as? [String: [String]])?["versions"] ?? []
            for version in versions { #expect(FileManager.default.fileExists(atPath: folder + "/" + version + "/saved_model.pb"), "\(version)") }
            for (_, version) in entry["version_labels"] as? [String: String] ?? [:] { #expect(versions.contains(version)) }
        }
        #expect(entries[1]["version_labels"] as? [String: String] == ["prod": "1", "canary": "2"])
        // The whole folder as pushed (fingerprint.pb kept), plus the marker.
        #expect(try Tree(base + "/2").files == [".registry-version.json", "assets.extra/example_inputs.npz", "assets.extra/expected_outputs.npz",
                                                "fingerprint.pb", "saved_model.pb", "variables/variables.data-00000-of-00001",
                                                "variables/variables.index"])
        #expect(try fileBytes(base + "/2/saved_model.pb") == fileBytes(Self.keras + "/saved_model.pb"))

        // A second plain sync writes nothing.
        let before = try modificationTimes(cli.tmp.path + "/models")
        let configBefore = try fileBytes(config)
        usleep(20_000)
        let second = try cli.ok("serving", "sync", "seed", base, "--config", config, "--label-delay", "0")
        #expect(second.out == """
            seed in \(base): versions 1 2 4; 1 2 4 unchanged
            config \(config): versions 1 2 4, labels canary=2 prod=1 (unchanged)

            """, "\(second)")
        try cli.ok("serving", "sync", "r", runBase, "--config", config, "--latest", "2", "--label-delay", "0")
        #expect(try modificationTimes(cli.tmp.path + "/models") == before)
        #expect(try fileBytes(config) == configBefore)
    }

    /// "249.9 KiB" from "…; wrote 1 2 4 (249.9 KiB)".
    static func size(_ out: String) -> String {
        guard let open = out.firstIndex(of: "("), let close = out.firstIndex(of: ")") else { return "?" }
        return String(out[out.index(after: open)..<close])
    }

    // MARK: - A moved alias under --watch

    @Test func watchMovesTheLabelInTwoWritesThenRemovesTheOldFolder() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Self.seed, "seed", "--alias", "prod")
        try cli.ok("push", Self.seed, "seed")
        let base = cli.tmp.path + "/seed", config = cli.tmp.path + "/models.config"
        let watch = try KillableChild(servingSyncArguments(cli.database, ["seed", base, "--config", config,
                                                                                 "--watch", "0.2", "--label-delay", "1", "--json"]))
        var states: [ServingState] = []
        var problems: [String] = []
        /// Polls until `done` holds (at most 60 s), checking the invariants at every look.
        func poll(until done: (ServingState) -> Bool) throws {
            let start = Date()
            while Date().timeIntervalSince(start) < 60 {
                let state = try ServingState(base: base, config: config, model: "seed")
                if states.last != state { states.append(state) }
                problems += state.problems(base: base)
                if done(state) { return }
                usleep(10_000)
            }
            throw TestFailure("timed out; states seen: \(states)")
        }
        // The first write names versions 1 and 2 without labels; prod=1 follows a second later.
        try poll { $0.labels == ["prod": 1] }
        #expect(states.contains { $0.policy == [1, 2] && $0.labels.isEmpty }, "\(states)")

        try cli.ok("push", Self.seed, "seed")
        try cli.ok("alias", "seed@prod", "3")
        try poll { $0.labels == ["prod": 3] && $0.folders.keys.sorted() == [3] && $0.others.isEmpty }
        // The label stayed on 1 while 3 joined the policy, then moved; 1 left after.
        let staged = try #require(states.firstIndex { $0.policy == [1, 3] && $0.labels == ["prod": 1] }, "\(states)")
        let moved = try #require(states.firstIndex { $0.labels == ["prod": 3] }, "\(states)")
        #expect(staged < moved)
        #expect(states[moved].policy == [3])
        #expect(problems.isEmpty, "\(problems)")

        watch.send(SIGTERM)
        #expect(watch.wait() == .exited(0), "\(watch.stderr)")
        let lines = watch.stdout.split(separator: "\n")
        let reports = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(reports.count == lines.count && reports.count >= 4, "\(watch.stdout)")
        #expect(reports.first?["written"] as? [Int] == [1, 2])
        #expect(reports.last.flatMap { ($0["config"] as? [String: Any])?["labels"] as? [String: Int] } == ["prod": 3])
        #expect(reports.flatMap { $0["removed"] as? [String] ?? [] }.sorted() == ["1", "2"], "\(watch.stdout)")
    }

    // MARK: - Bad input

    @Test func versionWithoutServeIsRefusedByName() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("seed_mlp_training"), "m")
        try cli.ok("push", Fixtures.path("saver_checkpoints/plain"), "run")
        let base = cli.tmp.path + "/base"
        let refused = try cli.run("serving", "sync", "m", base)
        #expect(refused.status == 1)
        #expect(refused.stderr == "Error: m:1 has no {serve} meta graph for TensorFlow Serving to load (it has {train}); leave it out "
            + "(--alias, --version, --latest) or push a SavedModel exported for serving\n", "\(refused)")
        let checkpoint = try cli.run("serving", "sync", "run", base, "--version", "2", "--json")
        #expect(checkpoint.status == 1)
        #expect(checkpoint.stderr.contains("\"code\" : \"not_servable\"") && checkpoint.stderr.contains("run:2 has no {serve} meta graph"),
                "\(checkpoint)")
        #expect(!FileManager.default.fileExists(atPath: base))
        let alias = try cli.run("serving", "sync", "m", base, "--alias", "nope")
        #expect(alias.status == 1 && alias.stderr.contains("nope"), "\(alias)")
    }

    @Test func foreignFoldersAreLeftAloneUnlessForced() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Self.seed, "seed")
        let base = cli.tmp.path + "/base"
        try FileManager.default.createDirectory(atPath: base + "/5", withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: base + "/5/note"))
        try Data("not a version".utf8).write(to: URL(fileURLWithPath: base + "/README"))
        let refused = try cli.run("serving", "sync", "seed", base)
        #expect(refused.status == 1)
        #expect(refused.stderr == "Error: \(base) holds version folders the registry did not write for this model (5); TensorFlow Serving "
            + "would serve them too: move them away, or pass --force to replace or remove them\n", "\(refused)")
        #expect(try Tree(base).files == ["5/note", "README"])

        let forced = try cli.ok("serving", "sync", "seed", base, "--force")
        #expect(forced.out.hasPrefix("seed in \(base): versions 1; wrote 1 ("), "\(forced)")
        #expect(forced.out.hasSuffix("), removed 5\n"), "\(forced)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: base).sorted() == ["1", "README"])

        // A published folder changed by hand is rewritten (in one swap), the change undone.
        let graph = base + "/1/saved_model.pb"
        let original = try fileBytes(graph)
        try Data(original + [0]).write(to: URL(fileURLWithPath: graph))
        let report = try cli.json("serving", "sync", "seed", base) as? [String: Any]
        #expect(report?["written"] as? [Int] == [1] && report?["replaced"] as? [Int] == [1], "\(String(describing: report))")
        #expect(try fileBytes(graph) == original)
    }

    @Test func configThatDoesNotParseIsRefusedWithItsLineAndKept() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Self.seed, "seed", "--alias", "prod")
        let base = cli.tmp.path + "/base", config = cli.tmp.path + "/models.config"
        let text = "model_config_list {\n  config {\n    name: \"other\"\n    base_path: /srv/other\n  }\n}\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: config))
        let refused = try cli.run("serving", "sync", "seed", base, "--config", config)
        #expect(refused.status == 1)
        #expect(refused.stderr == "Error: \(config):4: not a ModelServerConfig: malformed text in `base_path: /srv/other`; "
            + "correct line 4 and try again\n", "\(refused)")
        #expect(try fileBytes(config) == Array(text.utf8))
        #expect(!FileManager.default.fileExists(atPath: base))
        let json = try cli.run("serving", "sync", "seed", base, "--config", config, "--json")
        #expect(json.stderr.contains("\"code\" : \"text_format_invalid\""), "\(json)")
    }
}

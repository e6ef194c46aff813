import Foundation
import Testing
import TestSupport

/// `registry train`, `history --plot` and `pull --checkpoint` as a user drives them.
@Suite struct CLITrainTests {
#if os(Linux)
    /// OpenBLAS is loaded by `train` alone: when it was linked, its threads started before main
    /// and spun for ~0.1 s in every command (the dynamic loader lists what it loads).
    @Test func onlyTrainingLoadsOpenBLAS() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let binary = try #require(RegistryBinary.path)
        func loaded(_ verb: String, _ arguments: String...) throws -> String {
            var environment = RegistryBinary.environment
            environment["LD_DEBUG"] = "libs"
            let result = try runProcess(binary, [verb, "--registry", cli.database] + arguments, environment: environment)
            try #require(result.status == 0, "\(verb): \(result.status)")
            return result.stderr
        }
        #expect(try loaded("train", "r", "--epochs", "1").contains("libopenblas"), "train did not load OpenBLAS")
        let listing = try loaded("ls")
        #expect(listing.contains("libsqlite3") && !listing.contains("libopenblas"), "ls loaded OpenBLAS")
    }
#endif

    @Test func trainPrintsTheNotebookLinesAndSavesByGlobalStep() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let first = try cli.ok("train", "r", "--epochs", "3", "--print-every", "1", "--save-every", "50", "--max-to-keep", "2")
        let lines = first.out.split(separator: "\n").map(String.init)
        let epochs = lines.filter { $0.hasPrefix("Epoch ") }
        #expect(epochs.count == 3, "\(first.out)")
        for (i, line) in epochs.enumerated() {
            // The notebook's line, exactly: "Epoch 0: accuracy=20.125%".
            #expect(line.range(of: #"^Epoch \#(i): accuracy=[0-9]+\.[0-9]{3}%$"#, options: .regularExpression) != nil, "\(line)")
        }
        let history = try #require(try cli.json("history", "r") as? [[String: Any]])
        #expect(history.map { $0["globalStep"] as? Int } == [100, 150])
        #expect(history.map { $0["kind"] as? String } == ["checkpoint", "checkpoint"])
        for version in history {
            let metrics = try #require(version["metrics"] as? [String: Double])
            #expect(Set(metrics.keys) == ["loss", "accuracy", "epoch"])
        }

        // A second fresh start on the same run is refused; --resume continues at epoch 3.
        let again = try cli.run("train", "r", "--epochs", "1")
        #expect(again.status == 1 && again.stderr.contains("--resume"), "\(again)")
        let resumed = try cli.ok("train", "r", "--resume", "--epochs", "1", "--print-every", "1", "--save-every", "50")
        #expect(resumed.out.contains("Epoch 3: accuracy="), "\(resumed.out)")
        #expect(try cli.run("train", "r", "--resume", "--from", "r").status == 64)

        // The plot holds the whole per-epoch curve, with the kept checkpoints as dots.
        let plot = cli.tmp.path + "/curve.svg"
        try cli.ok("history", "r", "--plot", plot)
        let svg = try String(contentsOfFile: plot, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("</svg>"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2, "a loss and an accuracy curve")
        let polyline = try #require(svg.components(separatedBy: "<polyline points=\"").dropFirst().first?.split(separator: "\"").first)
        #expect(polyline.split(separator: " ").count == 4, "one point per epoch: \(polyline)")

        // The kept checkpoints as a tf.train.Saver folder.
        let folder = cli.tmp.path + "/ckpt"
        try cli.ok("pull", "r", "--checkpoint", "-o", folder)
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
        #expect(files == ["checkpoint", "model.ckpt-150.index", "model.ckpt-150.data-00000-of-00001", "model.ckpt-150.meta",
                          "model.ckpt-200.index", "model.ckpt-200.data-00000-of-00001", "model.ckpt-200.meta"], "\(files)")
        let state = try String(contentsOfFile: folder + "/checkpoint", encoding: .utf8)
        #expect(state == "model_checkpoint_path: \"model.ckpt-200\"\nall_model_checkpoint_paths: \"model.ckpt-150\"\n"
                + "all_model_checkpoint_paths: \"model.ckpt-200\"\n")
    }

    /// The TensorFlow-trained fixture continues training in Swift from its global step.
    @Test func trainFromATensorFlowTrainedModel() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.path("seed_mlp_training"), "seed")
        let result = try cli.ok("train", "cont", "--from", "seed", "--epochs", "2", "--print-every", "1")
        #expect(result.out.contains("Epoch 5: accuracy=") && result.out.contains("Epoch 6: accuracy="), "\(result.out)")
        let history = try #require(try cli.json("history", "cont") as? [[String: Any]])
        #expect(history.last?["globalStep"] as? Int == 350)
        let wrong = try cli.run("train", "other", "--from", "nosuch")
        #expect(wrong.status == 1 && wrong.stderr.contains("nosuch"), "\(wrong)")
    }
}

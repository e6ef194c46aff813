import Foundation
import Registry
@testable import RegistryFormat
import Testing
import TestSupport
@testable import Train

/// `TrainingSession` against a real (temporary) registry: checkpoints saved, retained,
/// resumed and continued through `ModelRegistry`, and what it writes read back by TensorFlow.
@Suite struct TrainingSessionTests {
    /// A registry in a fresh temporary folder; `body` gets it and the folder.
    func withRegistry<T>(_ label: String, _ body: (ModelRegistry, String) throws -> T) throws -> T {
        let tmp = try TemporaryDirectory(label: "session-\(label)")
        defer { tmp.cleanup() }
        return try body(try ModelRegistry(path: tmp.path + "/registry.db"), tmp.path)
    }

    static func configuration(_ run: String, epochs: Int, saveEverySteps: Int64? = nil,
                              retention: RetentionPolicy = RetentionPolicy()) -> TrainingSession.Configuration {
        var configuration = TrainingSession.Configuration(run: run)
        configuration.epochs = epochs
        configuration.saveEverySteps = saveEverySteps
        configuration.retention = retention
        return configuration
    }

    static func bytes(_ tensors: [String: NamedTensor]) -> [String: [UInt8]] { tensors.mapValues(\.bytes) }

    // MARK: (a) resume through the registry is bit-exact

    @Test func resumingThroughTheRegistryIsBitExact() throws {
        try withRegistry("resume") { registry, _ in
            // A: six epochs in one go.
            let straight = try TrainingSession(registry: registry, configuration: Self.configuration("straight", epochs: 6, saveEverySteps: 100),
                                               start: .fresh(seed: 20180401))
            let straightLast = try #require(try straight.run())
            #expect(straightLast.step == 300 && straightLast.epoch == 5)

            // B: three epochs, then a new session resumes the run's latest checkpoint for three more.
            let first = try TrainingSession(registry: registry, configuration: Self.configuration("split", epochs: 3, saveEverySteps: 100),
                                            start: .fresh(seed: 20180401))
            var firstSaves: [Int64] = []
            try first.run(onSave: { firstSaves.append($0.step) })
            #expect(firstSaves == [100, 150])  // every 100 steps, and at the end
            #expect(throws: TrainingSession.SessionError.self) {
                try TrainingSession(registry: registry, configuration: Self.configuration("split", epochs: 3), start: .fresh(seed: 1))
            }
            let resumed = try TrainingSession(registry: registry, configuration: Self.configuration("split", epochs: 3, saveEverySteps: 100),
                                              start: .resume)
            #expect(resumed.state.globalStep == 150 && resumed.nextEpoch == 3)
            #expect(resumed.state == first.state)
            var resumedSaves: [Int64] = []
            let resumedLast = try #require(try resumed.run(onSave: { resumedSaves.append($0.step) }))
            #expect(resumedSaves == [200, 300])
            #expect(resumedLast.step == 300 && resumedLast.epoch == 5)
            #expect(resumedLast.loss.bitPattern == straightLast.loss.bitPattern && resumedLast.accuracy == straightLast.accuracy)

            // The latest checkpoints hold the same bytes, and they are the sessions' states.
            let a = try registry.loadTensors(VersionReference(model: "straight"))
            let b = try registry.loadTensors(VersionReference(model: "split"))
            #expect(a.count == 21)
            #expect(Self.bytes(a) == Self.bytes(b))
            #expect(a == b)
            #expect(Self.bytes(b) == tensorBytes(resumed.state))
            #expect(b["global_step"]?.int64Value == 300)
            let history = try registry.history(model: "split")
            #expect(history.map(\.globalStep) == [100, 150, 200, 300])
            #expect(history.last?.metrics == (try registry.history(model: "straight")).last?.metrics)

            #expect(throws: TrainingSession.SessionError.self) {
                try TrainingSession(registry: registry, configuration: Self.configuration("never-started", epochs: 1), start: .resume)
            }
        }
    }

    // MARK: (b) retention

    @Test func retentionKeepsTheLastCheckpointsNumberedByStep() throws {
        try withRegistry("retention") { registry, dir in
            let configuration = Self.configuration("kept", epochs: 4, saveEverySteps: 50, retention: RetentionPolicy(maxToKeep: 2))
            let session = try TrainingSession(registry: registry, configuration: configuration, start: .fresh(seed: 7))
            var saves: [CheckpointSaveResult] = []
            try session.run(onSave: { saves.append($0) })
            #expect(saves.map(\.step) == [50, 100, 150, 200])
            #expect(saves.map(\.version) == [1, 2, 3, 4])
            #expect(saves.map(\.deleted) == [[], [], [1], [2]])
            #expect(saves.allSatisfy { $0.preserved.isEmpty })

            let history = try registry.history(model: "kept")
            #expect(history.map(\.version) == [3, 4])
            #expect(history.map(\.globalStep) == [150, 200])
            #expect(history.allSatisfy { $0.kind == .checkpoint && $0.run == "kept" })
            #expect(throws: (any Error).self) { try registry.loadTensors(VersionReference(model: "kept", selector: .number(2))) }
            #expect(try registry.loadTensors(VersionReference(model: "kept", selector: .number(3)))["global_step"]?.int64Value == 150)
            #expect(Self.bytes(try registry.loadTensors(VersionReference(model: "kept"))) == tensorBytes(session.state))

            // As a Saver folder: one prefix per remaining checkpoint, named by its step.
            let folder = dir + "/checkpoints"
            _ = try registry.pullCheckpoints(run: "kept", to: folder)
            let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
            #expect(files == ["checkpoint",
                              "model.ckpt-150.data-00000-of-00001", "model.ckpt-150.index", "model.ckpt-150.meta",
                              "model.ckpt-200.data-00000-of-00001", "model.ckpt-200.index", "model.ckpt-200.meta"])
            let state = try String(contentsOfFile: folder + "/checkpoint", encoding: .utf8)
            #expect(state.contains("model_checkpoint_path: \"model.ckpt-200\""), "\(state)")
        }
    }

    // MARK: (c) continuing a TensorFlow-trained network

    @Test func continuesFromATensorFlowTrainedSavedModel() throws {
        try withRegistry("from") { registry, _ in
            let pushed = try registry.push(savedModel: TrainFixtures.seedTraining, model: "seed")
            #expect(pushed.version == 1)
            let session = try TrainingSession(registry: registry, configuration: Self.configuration("continued", epochs: 1),
                                              start: .from(VersionReference(model: "seed")))
            #expect(session.state.globalStep == 250 && session.nextEpoch == 5)
            #expect(session.state == (try TrainingState(tensors: try TrainFixtures.tensors(), layers: LayerSpec.seedNetwork)))
            let report = try #require(try session.run())
            #expect(report.epoch == 5 && report.step == 300)

            // The same epoch in memory, from the fixture's own tensors and data.
            var expected = try TrainingState(tensors: try TrainFixtures.tensors(), layers: LayerSpec.seedNetwork)
            expected.trainEpoch(try TrainFixtures.dataset())
            #expect(session.state == expected)

            let history = try registry.history(model: "continued")
            #expect(history.map(\.globalStep) == [300])
            #expect(Self.bytes(try registry.loadTensors(VersionReference(model: "continued"))) == tensorBytes(expected))
            // The source is untouched, and a run that exists cannot be started again from it.
            #expect(try registry.history(model: "seed").count == 1)
            #expect(throws: TrainingSession.SessionError.self) {
                try TrainingSession(registry: registry, configuration: Self.configuration("continued", epochs: 1),
                                    start: .from(VersionReference(model: "seed")))
            }
        }
    }

    // MARK: (d) TensorFlow loads and serves a pulled checkpoint

    static let tf2Serve = """
    import sys, numpy as np, tensorflow as tf
    loaded = tf.saved_model.load(sys.argv[1], tags=["serve"])
    x = np.load(sys.argv[2])["x"]
    result = loaded.signatures["serving_default"](x=tf.constant(x))
    np.savez(sys.argv[3], **{k: v.numpy() for k, v in result.items()})
    """

    @Test(.enabled(if: TensorFlowOracle.enabled))
    func tensorFlowServesAPulledRun() throws {
        let python = try TensorFlowOracle.requirePython()
        try withRegistry("serve") { registry, dir in
            let session = try TrainingSession(registry: registry, configuration: Self.configuration("short", epochs: 3),
                                              start: .fresh(seed: 20180401))
            try session.run()
            #expect(Self.bytes(try registry.loadTensors(VersionReference(model: "short"))) == tensorBytes(session.state))
            let model = dir + "/model"
            let pulled = try registry.pull(VersionReference(model: "short"), to: model)
            #expect(Set(pulled.tagSets.map(\.description)) == ["train", "serve"])

            // 32 rows of the notebook's data (batch 7), written by numpy.
            let batchIndex = 7
            let input = dir + "/in.npz"
            let savez = try runProcess(python, [
                "-c", "import sys, numpy as np; d = np.load(sys.argv[1]); np.savez(sys.argv[2], x=d['inputs'][int(sys.argv[3]):int(sys.argv[4])])",
                TrainFixtures.seedTrainingData, input, String(32 * batchIndex), String(32 * (batchIndex + 1)),
            ])
            try #require(savez.status == 0, "numpy: \(savez.summary)")
            let batch = session.dataset.batch(batchIndex)
            #expect(try NPZ.read(path: input)["x"]?.floats() == batch.inputs.values)

            let serve = ["--tags", "serve", "--signature", "serving_default", "--input", input]
            let results = try runProcesses([
                (python, [TensorFlowOracle.tool, "check", model, "--strict"]),
                (python, [TensorFlowOracle.tool, "run", model] + serve + ["--output", dir + "/out.npz"]),
                (python, [TensorFlowOracle.tool, "run", model] + serve + ["--output", dir + "/out_v1.npz", "--v1"]),
                (python, ["-c", Self.tf2Serve, model, input, dir + "/out_tf2.npz"]),
            ])
            let check = results[0]
            #expect(check.status == 0, "tfcheck check: \(check.summary)")
            // Both tag sets, with the v1 loader and tf.saved_model.load (--strict makes the latter fatal too).
            for tags in ["serve", "train"] {
                #expect(check.out.contains("OK tags=\(tags): tf.compat.v1 loader ok; tf.saved_model.load ok"), "\(check.out)")
            }

            let expected = session.state.logits(for: batch.inputs)
            let expectedClasses = (0..<expected.rows).map { row in
                (0..<expected.columns).max { expected[row, $0] < expected[row, $1] }!
            }
            for (name, result) in [("tfcheck run", results[1]), ("tfcheck run --v1", results[2]), ("tf.saved_model.load", results[3])] {
                try #require(result.status == 0, "\(name): \(result.summary)")
                let file = dir + (name == "tfcheck run" ? "/out.npz" : name == "tfcheck run --v1" ? "/out_v1.npz" : "/out_tf2.npz")
                let outputs = try NPZ.read(path: file)
                let logits = try #require(outputs["logits"], "\(name): \(outputs.keys.sorted())")
                let classes = try #require(outputs["classes"], "\(name): \(outputs.keys.sorted())")
                #expect(logits.shape == [32, 5] && classes.shape == [32], "\(name)")
                let values = try logits.floats()
                try #require(values.count == expected.values.count)
                let diff = zip(values, expected.values).map { abs(Double($0) - Double($1)) }.max() ?? .infinity
                print("TrainingSessionTests: serve logits max |TF - Swift| = \(diff) (\(name))")
                #expect(diff <= 1e-5, "\(name)")
                #expect(try classes.values().map { Int($0) } == expectedClasses, "\(name)")
                if name != "tf.saved_model.load" {
                    let loader = result.out.split(separator: "\n").first.map(String.init) ?? ""
                    print("TrainingSessionTests: \(name): \(loader)")
                }
            }
        }
    }

    // MARK: (e) TensorFlow restores a pulled Saver folder

    static let saverRestore = """
    import sys, numpy as np, tensorflow as tf
    tf.compat.v1.disable_eager_execution()
    folder, out = sys.argv[1], sys.argv[2]
    latest = tf.train.latest_checkpoint(folder)
    g = tf.Graph()
    with g.as_default(), tf.compat.v1.Session(graph=g) as sess:
        saver = tf.compat.v1.train.import_meta_graph(latest + ".meta")
        saver.restore(sess, latest)
        kernel = sess.run("hidden_layer_1/kernel:0")
        variables = tf.compat.v1.global_variables()
        values = dict(zip([v.op.name for v in variables], sess.run(variables)))
        values["__kernel__"] = kernel
        np.savez(out, **values)
    print(latest)
    """

    @Test(.enabled(if: TensorFlowOracle.enabled))
    func tensorFlowRestoresPulledCheckpoints() throws {
        let python = try TensorFlowOracle.requirePython()
        try withRegistry("saver") { registry, dir in
            let session = try TrainingSession(registry: registry, configuration: Self.configuration("saver", epochs: 3, saveEverySteps: 50),
                                              start: .fresh(seed: 11))
            try session.run()
            let folder = dir + "/checkpoints"
            _ = try registry.pullCheckpoints(run: "saver", to: folder)
            let ours = Dictionary(uniqueKeysWithValues: session.state.tensors().map { ($0.name, $0) })

            let restored = dir + "/restored.npz"
            let results = try runProcesses([
                (python, [TensorFlowOracle.tool, "ckpt", folder]),
                (python, ["-c", Self.saverRestore, folder, restored]),
            ])

            // tfcheck: tf.train.latest_checkpoint resolves step 150; every hash is Swift's.
            let ckpt = results[0]
            try #require(ckpt.status == 0, "tfcheck ckpt: \(ckpt.summary)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(ckpt.out.utf8)) as? [String: Any])
            let latest = try #require(json["latest_prefix"] as? String)
            #expect(latest.hasSuffix("/model.ckpt-150"), "\(latest)")
            let state = json["state"] as? [String: Any]
            #expect((state?["all_model_checkpoint_paths"] as? [String])?.map { ($0 as NSString).lastPathComponent }
                    == ["model.ckpt-50", "model.ckpt-100", "model.ckpt-150"])
            let checkpoints = try #require(json["checkpoints"] as? [[String: Any]])
            let variables = try #require(checkpoints.first?["variables"] as? [[String: Any]])
            #expect(Set(variables.compactMap { $0["key"] as? String }) == Set(ours.keys))
            for variable in variables {
                let key = try #require(variable["key"] as? String)
                let tensor = try #require(ours[key], "\(key) is not a Swift tensor")
                let hash = sha256Hex(tensor.bytes)
                #expect(variable["sha256"] as? String == hash, "\(key)")
                #expect(variable["dtype"] as? String == (tensor.dtype == .int64 ? "int64" : "float32"), "\(key)")
                #expect((variable["shape"] as? [Int])?.map(Int64.init) == tensor.shape, "\(key)")
            }

            // Saver.restore through the .meta's own saver: every variable, bit for bit.
            let restore = results[1]
            try #require(restore.status == 0, "Saver restore: \(restore.summary)")
            #expect(restore.out.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("/model.ckpt-150"), "\(restore.out)")
            let values = try NPZ.read(path: restored)
            let kernel = try #require(values["__kernel__"])
            #expect(try kernel.floats().map(\.bitPattern) == ours["hidden_layer_1/kernel"]?.floats.map(\.bitPattern))
            #expect(kernel.shape == [28, 64])
            for (name, tensor) in ours {
                let array = try #require(values[name], "\(name) not restored")
                #expect(array.data == tensor.bytes, "\(name)")
            }
            #expect(try values["global_step"]?.int64s() == [150])
        }
    }
}

import Foundation
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// Training checkpoints: Saver folders in and out, saves from memory, and Saver's retention.
@Suite struct CheckpointTests {
    @Test(arguments: ["saver_checkpoints/plain", "saver_checkpoints/sharded"])
    func saverFolderRoundTrip(folder: String) throws {
        try withRegistry { registry, tmp in
            let source = Fixtures.path(folder)
            let results = try registry.push(checkpointFolder: source, run: "saver")
            #expect(results.map(\.version) == [1, 2, 3])
            let history = try registry.history(model: "saver")
            #expect(history.map(\.globalStep) == [20, 30, 40])
            #expect(history.allSatisfy { $0.kind == .checkpoint })
            _ = try registry.pullCheckpoints(run: "saver", to: tmp.path + "/out")
            let original = try DirectoryListing.scan(source), copy = try DirectoryListing.scan(tmp.path + "/out")
            #expect(original == copy)
            for file in original.files {
                let same = try fileBytes(source + "/" + file) == fileBytes(tmp.path + "/out/" + file)
                #expect(same, "\(folder)/\(file) differs after push and pull --checkpoint")
            }
        }
    }

    /// `pull NAME:N --checkpoint` is the run as it stood at version N: the checkpoints up to N,
    /// byte for byte, and the state file pointing at N; a version that is not a checkpoint is
    /// refused by name.
    @Test func aRunPulledAtOneVersionStopsThere() throws {
        try withRegistry { registry, tmp in
            let source = Fixtures.path("saver_checkpoints/plain")
            _ = try registry.push(checkpointFolder: source, run: "saver")
            try registry.setAlias(model: "saver", alias: "good", version: 2)
            for reference in [VersionReference(model: "saver", selector: .number(2)), VersionReference(model: "saver", selector: .alias("good"))] {
                let out = tmp.path + "/out-\(reference)"
                let result = try registry.pullCheckpoints(reference, to: out)
                #expect(result.version == 2)
                let files = try DirectoryListing.scan(out).files
                let expected = try DirectoryListing.scan(source).files.filter { $0.hasPrefix("model.ckpt-20.") || $0.hasPrefix("model.ckpt-30.") }
                #expect(expected.count >= 4 && files.filter { $0.hasPrefix("model.ckpt-") } == expected, "\(files)")
                for file in files where file.hasPrefix("model.ckpt-") {
                    #expect(try fileBytes(source + "/" + file) == fileBytes(out + "/" + file), "\(file)")
                }
                let state = try CheckpointState.parse(fileBytes(out + "/checkpoint"), file: "checkpoint")
                #expect(state.modelCheckpointPath == "model.ckpt-30" && state.allModelCheckpointPaths == ["model.ckpt-20", "model.ckpt-30"])
            }
            // A model keeps one kind: a SavedModel does not join the run, and a model of
            // SavedModels is not pulled as a run.
            #expect(throws: RegistryError.kindMismatch(model: "saver", holds: .checkpoint, adding: .savedModel)) {
                try registry.push(savedModel: Fixtures.casePath("keras_tf2"), model: "saver")
            }
            _ = try registry.push(savedModel: Fixtures.casePath("keras_tf2"), model: "keras")
            do {
                _ = try registry.pullCheckpoints(VersionReference(model: "keras", selector: .number(1)), to: tmp.path + "/refused")
                Issue.record("a SavedModel version was pulled as a checkpoint")
            } catch let error as RegistryError {
                #expect(error.code == "not_a_training_run", "\(error)")
            }
            #expect(!FileManager.default.fileExists(atPath: tmp.path + "/refused"))
        }
    }

    /// `tf.train.Saver(max_to_keep=2, keep_checkpoint_every_n_hours=1)`, saves 20 minutes apart:
    /// the window holds two; one leaving it after the keep time (start + 1 h) is kept for good.
    @Test func retentionFollowsSaver() throws {
        try withRegistry { registry, tmp in
            let start = Date(timeIntervalSince1970: 1_700_000_000)
            try registry.beginTrainingSession(run: "run", policy: RetentionPolicy(maxToKeep: 2, keepEveryHours: 1), now: start)
            var preserved: [Int64] = [], deleted: [Int64] = []
            for i in 1...10 {
                let tensors = [NamedTensor(name: "w", floats: [Float(i)], shape: [1]), NamedTensor(name: "global_step", int64: Int64(i * 10))]
                let result = try registry.saveCheckpoint(run: "run", step: Int64(i * 10), tensors: tensors, metaGraphs: [],
                                                         now: start.addingTimeInterval(Double(i) * 1200))
                preserved += result.preserved
                deleted += result.deleted
            }
            // Saves at +20, +40, … +200 min; the keep time starts at +60. From save 3 on, the
            // oldest of three leaves the window: 1 (+20), 2 (+40) and 3 (+60, not later than +60)
            // are deleted; 4 (+80) is kept for good and the keep time moves to +120; 5 (+100) and
            // 6 (+120) are deleted; 7 (+140) is kept, the keep time moves to +180; 8 (+160) is
            // deleted; 9 and 10 are the window.
            #expect(preserved == [4, 7])
            #expect(deleted == [1, 2, 3, 5, 6, 8])
            let remaining = try registry.history(model: "run").map(\.version)
            #expect(remaining == [4, 7, 9, 10])
            let latest = try registry.loadTensors(VersionReference(model: "run"))
            #expect(latest["w"]?.floats == [10])
            #expect(latest["global_step"]?.int64Value == 100)
        }
    }

    /// The same sequence through a real `tf.compat.v1.train.Saver` with its clock replaced:
    /// the checkpoints TensorFlow leaves on disk are the versions the registry keeps.
    @Test(.enabled(if: TensorFlowOracle.enabled, "needs the TensorFlow venv (make test)"))
    func retentionMatchesTensorFlowSaver() throws {
        try withTemporaryDirectory { tmp in
            let script = """
            import os, sys, time
            import tensorflow as tf
            tf.compat.v1.disable_eager_execution()
            clock = [1700000000.0]
            time.time = lambda: clock[0]
            v = tf.compat.v1.Variable(1.0, name="w")
            saver = tf.compat.v1.train.Saver(max_to_keep=2, keep_checkpoint_every_n_hours=1)
            with tf.compat.v1.Session() as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                for i in range(1, 11):
                    clock[0] = 1700000000.0 + i * 1200
                    saver.save(sess, os.path.join(sys.argv[1], "model.ckpt"), global_step=i * 10)
            steps = sorted(int(n[len("model.ckpt-"):-len(".index")]) for n in os.listdir(sys.argv[1]) if n.endswith(".index"))
            print(",".join(map(str, steps)))
            """
            try script.write(toFile: tmp.path + "/saver.py", atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: tmp.path + "/ckpt", withIntermediateDirectories: true)
            let result = try TensorFlowOracle.runPython([tmp.path + "/saver.py", tmp.path + "/ckpt"])
            #expect(result.status == 0, "\(result.stderr.suffix(1500))")
            let tensorFlowSteps = String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)

            let registry = try ModelRegistry(path: tmp.path + "/registry.db")
            let start = Date(timeIntervalSince1970: 1_700_000_000)
            try registry.beginTrainingSession(run: "run", policy: RetentionPolicy(maxToKeep: 2, keepEveryHours: 1), now: start)
            for i in 1...10 {
                _ = try registry.saveCheckpoint(run: "run", step: Int64(i * 10), tensors: [NamedTensor(name: "w", floats: [1], shape: [])],
                                                metaGraphs: [], now: start.addingTimeInterval(Double(i) * 1200))
            }
            let registrySteps = try registry.history(model: "run").compactMap(\.globalStep).map(String.init).joined(separator: ",")
            #expect(registrySteps == tensorFlowSteps)
        }
    }
}

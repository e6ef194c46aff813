import Foundation
import Testing
import TestSupport

/// Folders written by TensorFlow 2's `tf.train.CheckpointManager`: its `checkpoint` state file
/// carries each checkpoint's time (`all_model_checkpoint_timestamps`) and the time of the last
/// one it kept for good (`last_preserved_timestamp`), from which a new manager decides what to
/// keep. The public fixtures' Saver folders have neither, so these folders are made here, by
/// real TensorFlow.
@Suite(.enabled(if: TensorFlowOracle.enabled))
struct CheckpointManagerTests {
    /// Three saves a little apart into FOLDER, all kept (max_to_keep=3).
    static let script = """
        import sys, time
        import tensorflow as tf
        folder = sys.argv[1]
        weights = tf.Variable(tf.random.stateless_normal([4, 3], seed=[1, 2]))
        step = tf.Variable(0, dtype=tf.int64)
        manager = tf.train.CheckpointManager(tf.train.Checkpoint(weights=weights, step=step), folder, max_to_keep=3)
        for _ in range(3):
            step.assign_add(10)
            weights.assign_add(tf.ones([4, 3]))
            manager.save(checkpoint_number=int(step.numpy()))
            time.sleep(0.05)
        print(open(folder + "/checkpoint").read())
        """

    @Test func aCheckpointManagerFolderComesBackByteIdenticalWithItsTimestamps() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let written = cli.tmp.path + "/manager"
        let made = try TensorFlowOracle.runScript(Self.script, [written])
        try #require(made.status == 0, "TensorFlow: \(made.summary)")
        let state = try String(contentsOfFile: written + "/checkpoint", encoding: .utf8)
        #expect(state.components(separatedBy: "all_model_checkpoint_timestamps:").count - 1 == 3, "\(state)")
        #expect(state.contains("last_preserved_timestamp:"), "\(state)")

        let pushed = try #require(try cli.json("push", written, "managed") as? [[String: Any]])
        #expect(pushed.count == 3)
        let pulled = cli.tmp.path + "/pulled"
        try cli.ok("pull", "managed", "--checkpoint", "-o", pulled)
        #expect(try differingFiles(pulled, written) == [], "the pulled folder differs from TensorFlow's")
        #expect(try String(contentsOfFile: pulled + "/checkpoint", encoding: .utf8) == state)

        // A new manager on the pulled folder recovers the same state: the three checkpoints and
        // the time they were saved.
        let recovered = try TensorFlowOracle.runScript("""
            import sys
            import tensorflow as tf
            manager = tf.train.CheckpointManager(tf.train.Checkpoint(), sys.argv[1], max_to_keep=3)
            state = tf.train.get_checkpoint_state(sys.argv[1])
            print(len(manager.checkpoints), list(state.all_model_checkpoint_timestamps) == sorted(state.all_model_checkpoint_timestamps),
                  state.last_preserved_timestamp > 0)
            """, [pulled])
        try #require(recovered.status == 0, "TensorFlow: \(recovered.summary)")
        #expect(recovered.out == "3 True True\n", "\(recovered.out)")

        // The run as it stood at its second checkpoint: two paths, two times.
        let partial = cli.tmp.path + "/partial"
        try cli.ok("pull", "managed:2", "--checkpoint", "-o", partial)
        let partialState = try String(contentsOfFile: partial + "/checkpoint", encoding: .utf8)
        #expect(partialState.components(separatedBy: "all_model_checkpoint_timestamps:").count - 1 == 2, "\(partialState)")
    }
}

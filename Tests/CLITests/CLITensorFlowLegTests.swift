import Foundation
import Registry
import Testing
import TestSupport

/// A run that changes hands: trained by `registry train`, pulled as a Saver folder, trained on
/// by TensorFlow with the founding notebook's helper (`import_meta_graph` + `restore`), saved by
/// TensorFlow's Saver, pushed back with `registry push` as the run's next version, and resumed
/// by `registry train` from TensorFlow's checkpoint.
@Suite(.enabled(if: TensorFlowOracle.enabled))
struct CLITensorFlowLegTests {
    @Test func aTensorFlowLegJoinsTheRunsHistory() throws {
        let python = try TensorFlowOracle.requirePython()
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("train", "r", "--epochs", "2", "--save-every", "50")
        let pulled = cli.tmp.path + "/from-swift", saved = cli.tmp.path + "/from-tensorflow", values = cli.tmp.path + "/tensorflow.npz"
        try cli.ok("pull", "r", "--checkpoint", "-o", pulled)
        try FileManager.default.createDirectory(atPath: saved, withIntermediateDirectories: true)

        let tensorflow = try runProcess(python, ["-c", NotebookCell.script, "checkpoint", pulled, "2", values, saved])
        try #require(tensorflow.status == 0, "TensorFlow's leg: \(tensorflow.summary)")
        #expect(NotebookCell.accuracies(tensorflow.out).map(\.epoch) == [0, 1], "\(tensorflow.out)")
        #expect(tensorflow.out.hasSuffix("/model.ckpt-200\n"), "\(tensorflow.out)")

        let push = try cli.ok("push", saved, "r", "--parent", "r:2")
        #expect(push.out.hasPrefix("pushed r:3: checkpoint, 21 tensors"), "\(push.out)")
        // r:3 holds what TensorFlow's session ended with, byte for byte.
        let stored = try ModelRegistry(path: cli.database).loadTensors(VersionReference(model: "r", selector: .number(3)))
        let session = try NPZ.read(path: values)
        #expect(Set(stored.keys) == Set(session.keys))
        for (name, tensor) in stored {
            #expect(session[name]?.data == tensor.bytes, "\(name)")
        }

        // Swift takes over again from TensorFlow's checkpoint.
        let resumed = try cli.ok("train", "r", "--resume", "--epochs", "1", "--print-every", "1")
        #expect(resumed.out.hasPrefix("Epoch 4: accuracy="), "\(resumed.out)")

        let history = try #require(try cli.json("history", "r") as? [[String: Any]])
        #expect(history.map { $0["version"] as? Int } == [1, 2, 3, 4])
        #expect(history.map { $0["globalStep"] as? Int } == [50, 100, 200, 250])
        #expect(history.map { $0["kind"] as? String } == Array(repeating: "checkpoint", count: 4))
        #expect(history.map { $0["parent"] as? String } == [nil, "r:1", "r:2", "r:3"])
        let sources = history.map { $0["source"] as? String ?? "" }
        #expect(sources[0] == "registry train" && sources[1] == "registry train" && sources[3] == "registry train", "\(sources)")
        #expect(sources[2].hasSuffix("/from-tensorflow/model.ckpt-200"), "\(sources)")
        // TensorFlow's leg carries TensorFlow's own .meta; Swift's legs carry Swift's {train} graph.
        let shown = try cli.ok("show", "r:3").out
        #expect(shown.contains("model.ckpt-200.meta"), "\(shown)")
        let table = try cli.ok("history", "r").out.split(separator: "\n")
        #expect(table.count == 5 && table[3].split(separator: " ").contains("200") && table[4].split(separator: " ").contains("250"), "\(table)")
    }
}

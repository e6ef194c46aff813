import Foundation
import Registry
@testable import RegistryFormat
import Testing
import TestSupport
@testable import Train

/// Swift's training against real TensorFlow: from the state TensorFlow saved after 5 epochs
/// (`seed_mlp_training`, global step 250), one more epoch of Adam steps in each must end in
/// the same variables.
@Suite(.enabled(if: TensorFlowOracle.enabled))
struct TensorFlowParityTests {
    /// Loads the SavedModel's {train} graph (which restores its variables), runs the op
    /// `Adam` (the train op; it also increments `global_step`) on batches 0..<steps of the
    /// fixture's data in order, and saves every global variable's value by name.
    static let script = """
    import os, sys
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np, tensorflow as tf
    model, data, out, steps, batch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    tf.compat.v1.disable_eager_execution()
    d = np.load(data)
    x, y = d["inputs"], d["labels"]
    g = tf.Graph()
    with g.as_default(), tf.compat.v1.Session(graph=g) as sess:
        tf.compat.v1.saved_model.loader.load(sess, ["train"], model)
        for i in range(steps):
            sess.run("Adam", feed_dict={"input_layer:0": x[batch * i:batch * (i + 1)],
                                        "labels:0": y[batch * i:batch * (i + 1)]})
        variables = tf.compat.v1.global_variables()
        values = sess.run(variables)
        np.savez(out, **{v.op.name: value for v, value in zip(variables, values)})
    """

    @Test func oneEpochOfAdamMatchesTensorFlow() throws {
        let python = try TensorFlowOracle.requirePython()
        try withTemporaryDirectory(label: "parity") { tmp in
            let output = tmp.path + "/tensorflow.npz"
            let data = try TrainFixtures.dataset()
            let steps = data.batchCount
            #expect(steps == 50)

            // TensorFlow runs in the background while Swift trains.
            let tensorflow = try RunningProcess(python, ["-c", Self.script, TrainFixtures.seedTraining, TrainFixtures.seedTrainingData,
                                                             output, String(steps), String(data.batchSize)])

            var state = try TrainingState(tensors: try TrainFixtures.tensors(), layers: LayerSpec.seedNetwork)
            #expect(state.globalStep == 250)
            for index in 0..<steps {
                let batch = data.batch(index)
                state.trainStep(inputs: batch.inputs, labels: batch.labels)
            }
            #expect(state.globalStep == 300)

            let result = try tensorflow.wait()
            try #require(result.status == 0, "TensorFlow training script: \(result.summary)")
            let theirs = try NPZ.read(path: output)
            let ours = state.tensors()
            #expect(Set(theirs.keys) == Set(ours.map(\.name)), "TF variables \(theirs.keys.sorted())")

            var report: [String] = []
            for tensor in ours {
                let array = try #require(theirs[tensor.name], "\(tensor.name) not saved by TensorFlow")
                #expect(array.shape.map(Int64.init) == tensor.shape, "\(tensor.name)")
                if tensor.dtype == .int64 {
                    #expect(try array.int64s() == [300], "TF \(tensor.name)")
                    #expect(tensor.int64Value == 300, "Swift \(tensor.name)")
                    report.append("\(tensor.name): TF \(try array.int64s()) Swift \(tensor.int64Value.map(String.init) ?? "?")")
                    continue
                }
                let tf = try array.floats(), swift = tensor.floats
                try #require(tf.count == swift.count, "\(tensor.name)")
                let diff = zip(tf, swift).map { abs(Double($0) - Double($1)) }.max() ?? 0
                let scale = tf.map { abs(Double($0)) }.max() ?? 0
                let identical = zip(tf, swift).filter { $0.bitPattern == $1.bitPattern }.count
                report.append("\(tensor.name): max |TF - Swift| = \(diff) (max |TF| \(scale); \(identical)/\(tf.count) bit-identical)")
                #expect(diff <= 1e-5, "\(tensor.name): max abs difference \(diff)")
                if tensor.name == Adam.beta1PowerName || tensor.name == Adam.beta2PowerName {
                    // Both multiply the power by β in float32, 300 times: bit for bit.
                    #expect(tf.map(\.bitPattern) == swift.map(\.bitPattern), "\(tensor.name): TF \(tf) Swift \(swift)")
                }
            }
            print("TensorFlowParityTests (50 Adam steps from the fixture's step 250):\n  " + report.joined(separator: "\n  "))
        }
    }
}

import Foundation
import Registry
@testable import RegistryFormat
import SwiftProtobuf
import Testing
import TestSupport
@testable import Train

@Suite struct GraphBuilderTests {
    static let layers = LayerSpec.seedNetwork
    static let weightNames = GraphVariable.sorted(GraphVariable.weights(layers: layers)).map(\.name)

    // MARK: (a) structure

    @Test func bothGraphsWithTags() throws {
        let graphs = GraphBuilder.metaGraphs(layers: Self.layers)
        #expect(graphs.count == 2)
        #expect(graphs.map(\.metaInfoDef.tags) == [["train"], ["serve"]])
        for graph in graphs {
            #expect(graph.graphDef.versions.producer == 2474)
            #expect(MetaGraph(proto: graph).tagSet == TagSet(graph.metaInfoDef.tags))
        }
        // Deterministic: two builds serialize to the same bytes.
        let again = GraphBuilder.metaGraphs(layers: Self.layers)
        #expect(try graphs.map { try $0.serializedBytes() as [UInt8] } == again.map { try $0.serializedBytes() as [UInt8] })
    }

    @Test func variableNamesAreTheSortedBundleKeys() {
        let names = GraphBuilder.variableNames(layers: Self.layers)
        #expect(names.count == 6 * 3 + 3)
        #expect(names == names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(Set(names).count == names.count)
        for key in ["beta1_power", "beta2_power", "global_step", "hidden_layer_1/kernel", "hidden_layer_1/kernel/Adam",
                    "hidden_layer_1/kernel/Adam_1", "hideen_layer_2/bias/Adam_1", "output_layer/bias"] {
            #expect(names.contains(key), "\(key)")
        }
        #expect(names.first == "beta1_power" && names[2] == "global_step" && names[3] == "hidden_layer_1/bias")
        let variables = GraphBuilder.variables(layers: Self.layers)
        #expect(variables.first { $0.name == "global_step" }?.dtype == .int64)
        #expect(variables.first { $0.name == "global_step" }?.shape == [])
        #expect(variables.first { $0.name == "hideen_layer_2/kernel/Adam" }?.shape == [64, 64])
        #expect(variables.filter { $0.dtype == .float32 }.count == names.count - 1)
    }

    @Test(arguments: [0, 1]) func everyInputNamesAnExistingNode(graphIndex: Int) {
        let graph = GraphBuilder.metaGraphs(layers: Self.layers)[graphIndex]
        let nodes = graph.graphDef.node
        let names = Set(nodes.map(\.name))
        #expect(names.count == nodes.count, "node names are unique")
        for node in nodes {
            var sawControl = false
            for input in node.input {
                let isControl = input.hasPrefix("^")
                #expect(!sawControl || isControl, "\(node.name): control inputs come last")
                sawControl = sawControl || isControl
                #expect(names.contains(Self.nodeName(input)), "\(node.name) reads missing \(input)")
            }
            let keys = node.attr.map(\.key)
            #expect(keys == keys.sorted(by: UpbKeyOrder.precedes), "\(node.name) attrs in upb order")
            #expect(node.attr.allSatisfy { $0.value.value != nil }, "\(node.name) has an empty attr")
        }
        let saver = graph.saverDef
        #expect(saver.version == .v2 && !saver.sharded)
        #expect(saver.filenameTensorName == "save/Const:0")
        #expect(saver.saveTensorName == "save/control_dependency:0")
        #expect(saver.restoreOpName == "save/restore_all")
        for tensor in [saver.filenameTensorName, saver.saveTensorName, saver.restoreOpName] {
            #expect(names.contains(Self.nodeName(tensor)), "\(tensor)")
        }
    }

    @Test(arguments: [0, 1]) func saverCoversTheSortedVariables(graphIndex: Int) throws {
        let graph = GraphBuilder.metaGraphs(layers: Self.layers)[graphIndex]
        let expected = graphIndex == 0 ? GraphBuilder.variableNames(layers: Self.layers) : Self.weightNames
        let byName = Dictionary(uniqueKeysWithValues: graph.graphDef.node.map { ($0.name, $0) })
        func strings(_ name: String) -> [String] {
            byName[name]?.attr.first { $0.key == "value" }?.value.tensor.stringVal.map { String(decoding: $0, as: UTF8.self) } ?? []
        }
        for op in ["SaveV2", "RestoreV2"] {
            #expect(strings("save/\(op)/tensor_names") == expected)
            #expect(strings("save/\(op)/shape_and_slices") == expected.map { _ in "" })
            let dtypes = try #require(byName["save/\(op)"]?.attr.first { $0.key == "dtypes" }?.value.list.type)
            #expect(dtypes == expected.map { $0 == "global_step" ? .dtInt64 : .dtFloat })
        }
        #expect(byName["save/Const"]?.attr.first { $0.key == "value" }?.value.tensor.stringVal == [Data("model".utf8)])
        #expect(Array(try #require(byName["save/SaveV2"]).input.dropFirst(3)) == expected)
        for (index, name) in expected.enumerated() {
            let assign = try #require(byName[index == 0 ? "save/Assign" : "save/Assign_\(index)"])
            #expect(assign.op == "Assign")
            #expect(assign.input == [name, index == 0 ? "save/RestoreV2" : "save/RestoreV2:\(index)"])
            #expect(byName[name]?.op == "VariableV2")
        }
        #expect(byName["save/restore_all"]?.input.count == expected.count)
    }

    @Test func serveSignature() throws {
        let serve = GraphBuilder.metaGraphs(layers: Self.layers)[1]
        let nodes = Dictionary(uniqueKeysWithValues: serve.graphDef.node.map { ($0.name, $0) })
        #expect(serve.signatureDef.map(\.key) == ["serving_default"])
        let signature = try #require(serve.signatureDef.first?.value)
        #expect(signature.methodName == "tensorflow/serving/predict")
        #expect(signature.inputs.map(\.key) == ["x"])
        #expect(signature.outputs.map(\.key) == ["classes", "logits"])
        let x = signature.inputs[0].value
        #expect(x.name == "x:0" && x.dtype == .dtFloat && x.tensorShape.dim.map(\.size) == [-1, 28])
        let classes = signature.outputs[0].value, logits = signature.outputs[1].value
        #expect(logits.name == "output_layer/BiasAdd:0" && logits.dtype == .dtFloat && logits.tensorShape.dim.map(\.size) == [-1, 5])
        #expect(classes.name == "classes:0" && classes.dtype == .dtInt64 && classes.tensorShape.dim.map(\.size) == [-1])
        #expect(nodes["x"]?.op == "Placeholder")
        #expect(nodes["classes"]?.attr.map(\.key) == ["Tidx", "T", "output_type"])
        #expect(nodes["classes"]?.input == ["output_layer/BiasAdd", "classes/dimension"])
        #expect(nodes["output_layer/Relu"] == nil && nodes["hideen_layer_2/Relu"] != nil)
        // No Adam slots or counters in {serve}.
        #expect(nodes.values.filter { $0.op == "VariableV2" }.map(\.name).sorted() == Self.weightNames.sorted())
        // Scalars are empty (not unknown-rank) shapes.
        let dimension = try #require(nodes["classes/dimension"]?.attr.first { $0.key == "value" }?.value.tensor)
        #expect(dimension.hasTensorShape && dimension.tensorShape.dim.isEmpty && !dimension.tensorShape.unknownRank)
    }

    /// {train} is the graph TensorFlow wrote for the founding notebook (`seed_mlp_training`),
    /// node for node in TF's order: names, ops, inputs (control inputs too), devices and attrs,
    /// with its collections value for value. Left out of the comparison: the Saver (TF's
    /// `Builder` adds a sharded one; ours is `Saver()`'s plain one, as a checkpoint's `.meta`
    /// has), TF's bookkeeping attrs (`_class` colocation, `_output_shapes`,
    /// `_has_manual_control_dependencies`), the initializers' seeds (the fixture set a graph
    /// seed) and `classes`, which the {train} graph of `seed_mlp_train_and_serve` also has.
    @Test func trainGraphIsTensorFlowsNodeForNode() throws {
        let fixture = try Self.fixtureTrainGraph("seed_mlp_training")
        let train = GraphBuilder.metaGraphs(layers: Self.layers)[0]
        #expect(train.collectionDef.map(\.key) == ["feed_dict", "fetches", "global_step", "losses", "train_op", "trainable_variables", "variables"])
        #expect(train.collectionDef.map(\.key) == fixture.collectionDef.map(\.key))
        for (ours, theirs) in zip(train.collectionDef, fixture.collectionDef) {
            #expect(ours.value == theirs.value, "collection \(ours.key)")
        }
        func collection(_ key: String) -> [String] {
            train.collectionDef.first { $0.key == key }?.value.nodeList.value ?? []
        }
        #expect(collection("fetches") == ["num_correct:0", "Adam"] && collection("feed_dict") == ["input_layer:0", "labels:0"])
        #expect(collection("train_op") == ["Adam"])

        let ignored: Set<String> = ["_class", "_output_shapes", "_has_manual_control_dependencies", "seed", "seed2"]
        func comparable(_ nodes: [Tensorflow_NodeDef]) -> [Tensorflow_NodeDef] {
            nodes.filter { !$0.name.hasPrefix("save/") && $0.name != "classes" && $0.name != "classes/dimension" }.map { node in
                var node = node
                node.attr.removeAll { ignored.contains($0.key) }
                return node
            }
        }
        let ours = comparable(train.graphDef.node), theirs = comparable(fixture.graphDef.node)
        #expect(ours.map(\.name) == theirs.map(\.name))
        let mismatched = zip(ours, theirs).filter { $0 != $1 }
        #expect(mismatched.isEmpty, "first differing node: \(mismatched.first.map { "\($0.0)\nTensorFlow's:\n\($0.1)" } ?? "")")
        #expect(ours.count == 313)
        #expect(ours.filter { $0.op == "ApplyAdam" }.count == 6)

        // `classes` as the {train} graph of `seed_mlp_train_and_serve` has it.
        let trainAndServe = Dictionary(uniqueKeysWithValues: try Self.fixtureTrainGraph("seed_mlp_train_and_serve").graphDef.node.map { ($0.name, $0) })
        for node in train.graphDef.node where node.name == "classes" || node.name == "classes/dimension" {
            var theirs = try #require(trainAndServe[node.name])
            theirs.attr.removeAll { ignored.contains($0.key) }
            #expect(node == theirs, "\(node.name)")
        }
    }

    static func fixtureTrainGraph(_ name: String) throws -> Tensorflow_MetaGraphDef {
        let path = Fixtures.path(name + "/saved_model.pb")
        let bytes = try #require(FileManager.default.contents(atPath: path), "missing fixture \(path)")
        return try #require(try SavedModelFile.decode(binary: Array(bytes), file: path).metaGraphs
            .first { $0.proto.metaInfoDef.tags == ["train"] }?.proto)
    }

    // MARK: (b) TensorFlow loads and runs what we wrote

    @Test(.enabled(if: TensorFlowOracle.enabled))
    func tensorFlowLoadsAndComputes() throws {
        let python = try TensorFlowOracle.requirePython()
        try withTemporaryDirectory(label: "graphbuilder") { tmp in
            let dir = tmp.path
            let model = dir + "/model"
            let weights = try Self.writeSavedModel(to: model)

            // Both loaders, strictly.
            let check = try runProcess(python, [TensorFlowOracle.tool, "check", model, "--strict"])
            #expect(check.status == 0, "tfcheck check: \(check.out.suffix(3000)) \(check.stderr.suffix(3000))")

            // Map entries are in TF's order: Python (upb) re-serializes the file to the same bytes.
            let reserialize = """
            import sys; from tensorflow.core.protobuf import saved_model_pb2
            raw = open(sys.argv[1], 'rb').read(); sm = saved_model_pb2.SavedModel(); sm.ParseFromString(raw)
            print(sm.SerializeToString(deterministic=True) == raw)
            """
            let same = try runProcess(python, ["-c", reserialize, model + "/saved_model.pb"])
            #expect(same.status == 0 && same.out.trimmingCharacters(in: .whitespacesAndNewlines) == "True", "\(same.stderr.suffix(2000))")

            // {serve}: feed x, compare logits/classes with a plain-Swift forward pass (TF2 and v1 loaders).
            let batch = 9, inputs = Self.layers[0].inputs, outputs = Self.layers.last!.outputs
            var rng = SplitMix64(seed: 0xfeed)
            let x = (0..<batch * inputs).map { _ in Float(rng.uniform(-1, 1)) }
            try NPYArray.writeFloat32(dir + "/x.npy", x, shape: [batch, inputs])
            let savez = try runProcess(python, ["-c", "import numpy as np,sys; np.savez(sys.argv[2], x=np.load(sys.argv[1]))", dir + "/x.npy", dir + "/in.npz"])
            try #require(savez.status == 0, "\(savez.stderr)")
            let expected = Self.forward(x, batch: batch, weights: weights)
            for v1 in [false, true] {
                let out = dir + "/out\(v1 ? "_v1" : "").npz"
                let run = try runProcess(python, [TensorFlowOracle.tool, "run", model, "--tags", "serve", "--signature", "serving_default",
                                                "--input", dir + "/in.npz", "--output", out] + (v1 ? ["--v1"] : []))
                try #require(run.status == 0, "tfcheck run\(v1 ? " --v1" : ""): \(run.out.suffix(2000)) \(run.stderr.suffix(3000))")
                let result = try Self.readNPZ(out)
                let logits = try #require(result["logits"]), classes = try #require(result["classes"])
                #expect(logits.shape == [batch, outputs] && classes.shape == [batch])
                let diff = zip(logits.values, expected).map { abs($0 - $1) }.max() ?? .infinity
                print("GraphBuilderTests: serve logits max |TF - Swift| = \(diff) (\(v1 ? "v1 loader" : "tf.saved_model.load"))")
                #expect(diff <= 1e-5)
                #expect(classes.values.map(Int.init) == Self.argmax(expected, columns: outputs))
            }

            // {train}: the v1 loader restores every variable from the bundle; the loss and
            // num_correct the graph computes agree with Swift's.
            let labels = (0..<batch).map { $0 % outputs }
            let script = """
            import json, sys, numpy as np, tensorflow as tf
            d, labels = sys.argv[1], [int(v) for v in sys.argv[2].split(',')]
            x = np.load(sys.argv[3])
            g = tf.Graph()
            with tf.compat.v1.Session(graph=g) as sess:
                tf.compat.v1.saved_model.loader.load(sess, ['train'], d)
                kernel, step, beta1, slot = sess.run(['hidden_layer_1/kernel:0', 'global_step:0', 'beta1_power:0', 'output_layer/bias/Adam_1:0'])
                logits, loss, correct = sess.run(['output_layer/BiasAdd:0', 'softmax_cross_entropy_loss/value:0', 'num_correct:0'],
                                                 feed_dict={'input_layer:0': x, 'labels:0': labels})
                sess.run('init')
                reinit = sess.run('global_step:0')
            print(json.dumps({'kernel': kernel.astype('float64').ravel().tolist(), 'kernel_shape': list(kernel.shape),
                              'global_step': int(step), 'beta1_power': float(beta1), 'slot': slot.astype('float64').tolist(),
                              'logits': logits.astype('float64').ravel().tolist(), 'loss': float(loss), 'num_correct': int(correct),
                              'reinit_step': int(reinit)}))
            """
            let train = try runProcess(python, ["-c", script, model, labels.map(String.init).joined(separator: ","), dir + "/x.npy"])
            try #require(train.status == 0, "train load: \(train.stderr.suffix(3000))")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(train.out.utf8)) as? [String: Any])
            #expect((json["kernel"] as? [Double])?.map(Float.init) == weights["hidden_layer_1/kernel"])
            #expect(json["kernel_shape"] as? [Int] == [28, 64])
            #expect(json["global_step"] as? Int == Self.globalStep)
            #expect((json["beta1_power"] as? Double).map(Float.init) == weights["beta1_power"]?.first)
            #expect((json["slot"] as? [Double])?.map(Float.init) == weights["output_layer/bias/Adam_1"])
            #expect(json["reinit_step"] as? Int == 0)
            let trainLogits = try #require(json["logits"] as? [Double])
            #expect(zip(trainLogits, expected).map { abs($0 - $1) }.max() ?? 1 <= 1e-5)
            let (loss, correct) = Self.lossAndCorrect(expected, labels: labels, columns: outputs)
            let tfLoss = try #require(json["loss"] as? Double)
            print("GraphBuilderTests: train loss TF \(tfLoss) Swift \(loss); num_correct TF \(json["num_correct"] ?? "?") Swift \(correct)")
            #expect(abs(tfLoss - loss) <= 1e-5)
            #expect(json["num_correct"] as? Int == correct)
        }
    }

    // MARK: Helpers

    static let globalStep = 1234

    static func nodeName(_ input: String) -> String {
        var name = input.hasPrefix("^") ? String(input.dropFirst()) : input
        if let colon = name.lastIndex(of: ":"), name[name.index(after: colon)...].allSatisfy(\.isNumber) {
            name = String(name[..<colon])
        }
        return name
    }

    /// Writes saved_model.pb and a bundle with deterministic values for every variable; returns the float values by name.
    static func writeSavedModel(to dir: String) throws -> [String: [Float]] {
        try FileManager.default.createDirectory(atPath: dir + "/variables", withIntermediateDirectories: true)
        let graphs = GraphBuilder.metaGraphs(layers: layers)
        let file = SavedModelFile.encodeBinary(schemaVersion: 1, metaGraphs: try graphs.map { try $0.serializedBytes() })
        try Data(file).write(to: URL(fileURLWithPath: dir + "/saved_model.pb"))
        let writer = try BundleWriter(prefix: dir + "/variables/variables")
        var rng = SplitMix64(seed: 20180401)
        var values: [String: [Float]] = [:]
        for variable in GraphBuilder.variables(layers: layers) {
            let count = variable.shape.reduce(1) { $0 * Int($1) }
            if variable.dtype == .int64 {
                var bytes: [UInt8] = []
                withUnsafeBytes(of: Int64(globalStep).littleEndian) { bytes += $0 }
                try writer.add(key: Array(variable.name.utf8), dtype: .int64, shape: variable.shape, bytes: bytes)
                continue
            }
            let scale = variable.shape.count == 2 ? (6.0 / Double(variable.shape[0] + variable.shape[1])).squareRoot() : 0.3
            let floats = (0..<count).map { _ in Float(rng.uniform(-scale, scale)) }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(count * 4)
            for value in floats { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
            try writer.add(key: Array(variable.name.utf8), dtype: .float32, shape: variable.shape, bytes: bytes)
            values[variable.name] = floats
        }
        try writer.finish()
        return values
    }

    /// The dense network in plain loops (Double accumulation): logits, row-major [batch, outputs].
    static func forward(_ x: [Float], batch: Int, weights: [String: [Float]]) -> [Double] {
        var activations = x.map(Double.init)
        for layer in layers {
            let kernel = weights[layer.name + "/kernel"]!, bias = weights[layer.name + "/bias"]!
            var next = [Double](repeating: 0, count: batch * layer.outputs)
            for row in 0..<batch {
                for column in 0..<layer.outputs {
                    var sum = Double(bias[column])
                    for k in 0..<layer.inputs {
                        sum += activations[row * layer.inputs + k] * Double(kernel[k * layer.outputs + column])
                    }
                    next[row * layer.outputs + column] = layer.relu ? max(0, sum) : sum
                }
            }
            activations = next
        }
        return activations
    }

    static func argmax(_ logits: [Double], columns: Int) -> [Int] {
        stride(from: 0, to: logits.count, by: columns).map { start in
            (0..<columns).max { logits[start + $0] < logits[start + $1] }!
        }
    }

    static func lossAndCorrect(_ logits: [Double], labels: [Int], columns: Int) -> (Double, Int) {
        var total = 0.0
        for (row, label) in labels.enumerated() {
            let values = logits[row * columns..<(row + 1) * columns]
            let top = values.max()!
            let logSum = top + log(values.reduce(0) { $0 + exp($1 - top) })
            total += logSum - values[row * columns + label]
        }
        let correct = zip(argmax(logits, columns: columns), labels).filter { $0 == $1 }.count
        return (total / Double(labels.count), correct)
    }

    /// Every array of an `.npz`, as doubles.
    static func readNPZ(_ path: String) throws -> [String: (shape: [Int], values: [Double])] {
        try NPZ.read(path: path).mapValues { ($0.shape, try $0.values()) }
    }
}

import Foundation
import Registry

/// Builds TF1-style MetaGraphDefs for a dense network (spec §7), without TensorFlow: a {train}
/// graph in the shape `tf.compat.v1` + `AdamOptimizer` leaves (every variable including the Adam
/// slots, beta powers and `global_step`, plus loss and `num_correct`), and a {serve} graph with a
/// `serving_default` signature. Both restore from the same variables bundle through their own
/// non-sharded `Saver` (`save/...` nodes, SaverDef V2).
public enum GraphBuilder {
    /// `GraphDef.versions.producer` of TF 2.21 (spec §2.2).
    public static let producer: Int32 = 2474
    public static let tensorflowVersion = "2.21.0"

    /// {train} and {serve} MetaGraphDefs for a dense network whose variables live in one bundle
    /// (keys: "<layer>/kernel", "<layer>/bias", "<layer>/kernel/Adam", "<layer>/kernel/Adam_1", same for bias,
    /// "beta1_power", "beta2_power", "global_step" (int64 scalar); all float32 except global_step).
    public static func metaGraphs(layers: [LayerSpec]) -> [Tensorflow_MetaGraphDef] {
        precondition(!layers.isEmpty, "a network needs at least one layer")
        return [trainGraph(layers: layers), serveGraph(layers: layers)]
    }

    /// Sorted bytewise: the bundle keys the graphs expect.
    public static func variableNames(layers: [LayerSpec]) -> [String] {
        variables(layers: layers).map(\.name)
    }

    /// Every bundle variable (name, dtype, shape), sorted bytewise by name.
    public static func variables(layers: [LayerSpec]) -> [GraphVariable] {
        GraphVariable.sorted(GraphVariable.all(layers: layers))
    }

    // MARK: {train}

    static func trainGraph(layers: [LayerSpec]) -> Tensorflow_MetaGraphDef {
        var nodes = GraphNodes()
        var defs: [(GraphVariable, Data)] = []
        var initializers: [String] = []

        /// VariableV2 + Assign(initial) + Identity read, recorded for the collections and `init`.
        func refVariable(_ variable: GraphVariable, initialValue: String) -> String {
            nodes.variableV2(variable.name, dtype: variable.protoType, shape: variable.shape)
            let assign = nodes.assign(variable.name + "/Assign", variable: variable.name, value: initialValue, dtype: variable.protoType)
            let read = nodes.identity(variable.name + "/read", variable.name, dtype: variable.protoType)
            initializers.append(assign)
            let def = VariableDefEncoder.encode(
                variableName: variable.name + ":0", initializerName: assign, snapshotName: read + ":0",
                initialValueName: initialValue + ":0", trainable: variable.trainable,
                aggregation: variable.role == .globalStep ? 3 : 0)  // VARIABLE_AGGREGATION_ONLY_FIRST_REPLICA
            defs.append((variable, def))
            return read
        }

        let first = layers[0]
        let inputs = nodes.placeholder("input_layer", dtype: .dtFloat, shape: [-1, Int64(first.inputs)])
        let labels = nodes.placeholder("labels", dtype: .dtInt32, shape: [-1])

        var current = inputs
        for layer in layers {
            let weights = GraphVariable.weights(layers: [layer])
            let kernel = refVariable(weights[0], initialValue: glorotUniform(&nodes, weights[0].name, fanIn: layer.inputs, fanOut: layer.outputs))
            let bias = refVariable(weights[1], initialValue: nodes.const(weights[1].name + "/Initializer/zeros", GraphConst.float(0, shape: weights[1].shape)))
            current = nodes.dense(layer, input: current, kernel: kernel, bias: bias)
        }
        let logits = current
        let loss = softmaxCrossEntropy(&nodes, logits: logits, labels: labels, classes: layers[layers.count - 1].outputs)

        for variable in GraphVariable.all(layers: layers) where variable.role != .weight {
            let initial: String
            switch variable.role {
            case .globalStep:
                initial = nodes.const(variable.name + "/Initializer/zeros", GraphConst.int64(0))
            case .betaPower(let value):
                initial = nodes.const(variable.name + "/initial_value", GraphConst.float(value))
            case .slot, .weight:
                initial = nodes.const(variable.name + "/Initializer/zeros", GraphConst.float(0, shape: variable.shape))
            }
            _ = refVariable(variable, initialValue: initial)
        }

        numCorrect(&nodes, logits: logits, labels: labels)
        nodes.classes(logits: logits)
        nodes.noOp("init", controlInputs: initializers)
        let saver = SaverBuilder.add(to: &nodes, variables: GraphVariable.all(layers: layers))

        var meta = metaGraph(tag: "train", nodes: nodes, saver: saver)
        let allDefs = defs.map(\.1)
        meta.collectionDef = sortedCollections([
            "variables": bytesList(allDefs),
            "trainable_variables": bytesList(defs.filter { $0.0.trainable }.map(\.1)),
            "global_step": bytesList(defs.filter { $0.0.role == .globalStep }.map(\.1)),
            "losses": nodeList([loss + ":0"]),
        ])
        return meta
    }

    /// `NAME/Initializer/random_uniform` = min + (max - min) * RandomUniform(shape), with
    /// max = sqrt(6 / (fan_in + fan_out)) (Glorot uniform, TF1's default dense kernel initializer).
    private static func glorotUniform(_ nodes: inout GraphNodes, _ name: String, fanIn: Int, fanOut: Int) -> String {
        let scope = name + "/Initializer/random_uniform"
        let limit = Float((6.0 / Double(fanIn + fanOut)).squareRoot())
        let shape = nodes.const(scope + "/shape", GraphConst.int32Vector([Int32(fanIn), Int32(fanOut)]))
        let low = nodes.const(scope + "/min", GraphConst.float(-limit))
        let high = nodes.const(scope + "/max", GraphConst.float(limit))
        let random = nodes.add(scope + "/RandomUniform", op: "RandomUniform", inputs: [shape], attrs: [
            "T": GraphAttr.type(.dtInt32), "dtype": GraphAttr.type(.dtFloat), "seed": GraphAttr.int(0), "seed2": GraphAttr.int(0),
        ])
        let float = ["T": GraphAttr.type(.dtFloat)]
        let range = nodes.add(scope + "/sub", op: "Sub", inputs: [high, low], attrs: float)
        let scaled = nodes.add(scope + "/mul", op: "Mul", inputs: [random, range], attrs: float)
        return nodes.add(scope, op: "AddV2", inputs: [scaled, low], attrs: float)
    }

    /// Mean softmax cross-entropy of `logits` against one-hot `labels`; returns the scalar's node.
    private static func softmaxCrossEntropy(_ nodes: inout GraphNodes, logits: String, labels: String, classes: Int) -> String {
        let depth = nodes.const("one_hot/depth", GraphConst.int32(Int32(classes)))
        let on = nodes.const("one_hot/on_value", GraphConst.float(1))
        let off = nodes.const("one_hot/off_value", GraphConst.float(0))
        let oneHot = nodes.add("one_hot", op: "OneHot", inputs: [labels, depth, on, off], attrs: [
            "T": GraphAttr.type(.dtFloat), "TI": GraphAttr.type(.dtInt32), "axis": GraphAttr.int(-1),
        ])
        let xentropy = nodes.add("softmax_cross_entropy_loss/xentropy", op: "SoftmaxCrossEntropyWithLogits",
                                 inputs: [logits, oneHot], attrs: ["T": GraphAttr.type(.dtFloat)])
        let axes = nodes.const("softmax_cross_entropy_loss/Const", GraphConst.int32(0, shape: [1]))
        return nodes.add("softmax_cross_entropy_loss/value", op: "Mean", inputs: [xentropy, axes], attrs: [
            "T": GraphAttr.type(.dtFloat), "Tidx": GraphAttr.type(.dtInt32), "keep_dims": GraphAttr.bool(false),
        ])
    }

    /// `num_correct` = Sum(Cast<int32>(InTopKV2(logits, labels, k=1))), as in the founding notebook.
    private static func numCorrect(_ nodes: inout GraphNodes, logits: String, labels: String) {
        let k = nodes.const("in_top_k/InTopKV2/k", GraphConst.int32(1))
        let inTopK = nodes.add("in_top_k/InTopKV2", op: "InTopKV2", inputs: [logits, labels, k], attrs: ["T": GraphAttr.type(.dtInt32)])
        let cast = nodes.add("Cast", op: "Cast", inputs: [inTopK], attrs: [
            "DstT": GraphAttr.type(.dtInt32), "SrcT": GraphAttr.type(.dtBool), "Truncate": GraphAttr.bool(false),
        ])
        let axes = nodes.const("Const", GraphConst.int32(0, shape: [1]))
        nodes.add("num_correct", op: "Sum", inputs: [cast, axes], attrs: [
            "T": GraphAttr.type(.dtInt32), "Tidx": GraphAttr.type(.dtInt32), "keep_dims": GraphAttr.bool(false),
        ])
    }

    // MARK: {serve}

    static func serveGraph(layers: [LayerSpec]) -> Tensorflow_MetaGraphDef {
        var nodes = GraphNodes()
        let first = layers[0], last = layers[layers.count - 1]
        let inputShape: [Int64] = [-1, Int64(first.inputs)]
        let x = nodes.placeholder("x", dtype: .dtFloat, shape: inputShape)
        var current = x
        for layer in layers {
            let reads = GraphVariable.weights(layers: [layer]).map { variable in
                nodes.variableV2(variable.name, dtype: variable.protoType, shape: variable.shape)
                return nodes.identity(variable.name + "/read", variable.name, dtype: variable.protoType)
            }
            current = nodes.dense(layer, input: current, kernel: reads[0], bias: reads[1])
        }
        let logits = current
        let classes = nodes.classes(logits: logits)
        let saver = SaverBuilder.add(to: &nodes, variables: GraphVariable.weights(layers: layers))

        var signature = Tensorflow_SignatureDef()
        signature.inputs = sorted(["x": tensorInfo(x, .dtFloat, inputShape)]).map { key, value in
            var entry = Tensorflow_SignatureDef.InputsEntry()
            entry.key = key
            entry.value = value
            return entry
        }
        signature.outputs = sorted([
            "logits": tensorInfo(logits, .dtFloat, [-1, Int64(last.outputs)]),
            "classes": tensorInfo(classes, .dtInt64, [-1]),
        ]).map { key, value in
            var entry = Tensorflow_SignatureDef.OutputsEntry()
            entry.key = key
            entry.value = value
            return entry
        }
        signature.methodName = "tensorflow/serving/predict"

        var meta = metaGraph(tag: "serve", nodes: nodes, saver: saver)
        var entry = Tensorflow_MetaGraphDef.SignatureDefEntry()
        entry.key = "serving_default"
        entry.value = signature
        meta.signatureDef = [entry]
        return meta
    }

    // MARK: Helpers

    private static func metaGraph(tag: String, nodes: GraphNodes, saver: Tensorflow_SaverDef) -> Tensorflow_MetaGraphDef {
        var meta = Tensorflow_MetaGraphDef()
        meta.metaInfoDef.tags = [tag]
        meta.metaInfoDef.tensorflowVersion = tensorflowVersion
        meta.graphDef.node = nodes.nodes
        meta.graphDef.versions.producer = producer
        meta.saverDef = saver
        return meta
    }

    private static func tensorInfo(_ node: String, _ dtype: Tensorflow_DataType, _ shape: [Int64]) -> Tensorflow_TensorInfo {
        var info = Tensorflow_TensorInfo()
        info.name = node + ":0"
        info.dtype = dtype
        info.tensorShape = GraphShape.known(shape)
        return info
    }

    private static func sorted<Value>(_ map: [String: Value]) -> [(String, Value)] {
        map.keys.sorted(by: UpbKeyOrder.precedes).map { ($0, map[$0]!) }
    }

    private static func sortedCollections(_ map: [String: Tensorflow_CollectionDef]) -> [Tensorflow_MetaGraphDef.CollectionDefEntry] {
        sorted(map).map { key, value in
            var entry = Tensorflow_MetaGraphDef.CollectionDefEntry()
            entry.key = key
            entry.value = value
            return entry
        }
    }

    private static func bytesList(_ values: [Data]) -> Tensorflow_CollectionDef {
        var list = Tensorflow_CollectionDef.BytesList()
        list.value = values
        var collection = Tensorflow_CollectionDef()
        collection.kind = .bytesList(list)
        return collection
    }

    private static func nodeList(_ values: [String]) -> Tensorflow_CollectionDef {
        var list = Tensorflow_CollectionDef.NodeList()
        list.value = values
        var collection = Tensorflow_CollectionDef()
        collection.kind = .nodeList(list)
        return collection
    }
}

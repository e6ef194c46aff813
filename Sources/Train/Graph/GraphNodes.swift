import Registry

/// Accumulates the `NodeDef`s of one graph in creation order, with attrs sorted the way TF writes them.
struct GraphNodes {
    private(set) var nodes: [Tensorflow_NodeDef] = []
    private var names: Set<String> = []

    /// Adds a node and returns its name (for use as an input).
    @discardableResult
    mutating func add(_ name: String, op: String, inputs: [String] = [], controlInputs: [String] = [],
                      attrs: [String: Tensorflow_AttrValue] = [:], device: String = "") -> String {
        precondition(names.insert(name).inserted, "duplicate node name \(name)")
        var node = Tensorflow_NodeDef()
        node.name = name
        node.op = op
        node.input = inputs + controlInputs.sorted(by: BytewiseOrder.precedes).map { "^" + $0 }
        node.device = device
        node.attr = attrs.keys.sorted(by: UpbKeyOrder.precedes).map { key in
            var entry = Tensorflow_NodeDef.AttrEntry()
            entry.key = key
            entry.value = attrs[key]!
            return entry
        }
        nodes.append(node)
        return name
    }

    func contains(_ name: String) -> Bool { names.contains(name) }

    // MARK: Ops used by both graphs

    @discardableResult
    mutating func placeholder(_ name: String, dtype: Tensorflow_DataType, shape: [Int64]) -> String {
        add(name, op: "Placeholder", attrs: ["dtype": GraphAttr.type(dtype), "shape": GraphAttr.shape(shape)])
    }

    @discardableResult
    mutating func const(_ name: String, _ tensor: Tensorflow_TensorProto, controlInputs: [String] = []) -> String {
        add(name, op: "Const", controlInputs: controlInputs, attrs: ["dtype": GraphAttr.type(tensor.dtype), "value": GraphAttr.tensor(tensor)])
    }

    /// A TF1 ref variable (`VariableV2`) as `tf.compat.v1.get_variable` writes it.
    @discardableResult
    mutating func variableV2(_ name: String, dtype: Tensorflow_DataType, shape: [Int64]) -> String {
        add(name, op: "VariableV2", attrs: [
            "container": GraphAttr.string(""), "dtype": GraphAttr.type(dtype), "shape": GraphAttr.shape(shape), "shared_name": GraphAttr.string(""),
        ])
    }

    @discardableResult
    mutating func identity(_ name: String, _ input: String, dtype: Tensorflow_DataType, controlInputs: [String] = []) -> String {
        add(name, op: "Identity", inputs: [input], controlInputs: controlInputs, attrs: ["T": GraphAttr.type(dtype)])
    }

    @discardableResult
    mutating func assign(_ name: String, variable: String, value: String, dtype: Tensorflow_DataType) -> String {
        add(name, op: "Assign", inputs: [variable, value], attrs: [
            "T": GraphAttr.type(dtype), "use_locking": GraphAttr.bool(true), "validate_shape": GraphAttr.bool(true),
        ])
    }

    @discardableResult
    mutating func noOp(_ name: String, controlInputs: [String]) -> String {
        add(name, op: "NoOp", controlInputs: controlInputs)
    }

    /// `MatMul` → `BiasAdd` (→ `Relu`) for one dense layer; returns the layer's output tensor.
    mutating func dense(_ layer: LayerSpec, input: String, kernel: String, bias: String) -> String {
        let matmul = add("\(layer.name)/MatMul", op: "MatMul", inputs: [input, kernel], attrs: [
            "T": GraphAttr.type(.dtFloat), "grad_a": GraphAttr.bool(false), "grad_b": GraphAttr.bool(false),
            "transpose_a": GraphAttr.bool(false), "transpose_b": GraphAttr.bool(false),
        ])
        let biasAdd = add("\(layer.name)/BiasAdd", op: "BiasAdd", inputs: [matmul, bias], attrs: [
            "T": GraphAttr.type(.dtFloat), "data_format": GraphAttr.string("NHWC"),
        ])
        guard layer.relu else { return biasAdd }
        return add("\(layer.name)/Relu", op: "Relu", inputs: [biasAdd], attrs: ["T": GraphAttr.type(.dtFloat)])
    }

    /// `classes = ArgMax(logits, classes/dimension)` with int64 output.
    @discardableResult
    mutating func classes(logits: String) -> String {
        let dimension = const("classes/dimension", GraphConst.int32(1))
        return add("classes", op: "ArgMax", inputs: [logits, dimension], attrs: [
            "T": GraphAttr.type(.dtFloat), "Tidx": GraphAttr.type(.dtInt32), "output_type": GraphAttr.type(.dtInt64),
        ])
    }
}

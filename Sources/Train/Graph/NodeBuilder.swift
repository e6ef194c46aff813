import Foundation
import Registry

/// Map-entry order of TensorFlow's Python (upb) deterministic serializer (spec §8.1): bytewise
/// ascending, except that when one key is a proper prefix of the other the longer one comes first.
enum UpbKeyOrder {
    static func precedes(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        for i in 0..<min(x.count, y.count) where x[i] != y[i] { return x[i] < y[i] }
        return x.count > y.count
    }
}

/// Plain bytewise order (bundle keys, Saver tensor_names, TF's sorted control inputs).
enum BytewiseOrder {
    static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}

/// `AttrValue` constructors (spec §2.3). Oneof members are set even when they hold the default,
/// which is what TF writes (`b: false` → `28 00`, `s: ""` → `12 00`).
enum GraphAttr {
    static func type(_ dtype: Tensorflow_DataType) -> Tensorflow_AttrValue {
        var value = Tensorflow_AttrValue()
        value.value = .type(dtype)
        return value
    }

    static func types(_ dtypes: [Tensorflow_DataType]) -> Tensorflow_AttrValue {
        var list = Tensorflow_AttrValue.ListValue()
        list.type = dtypes
        var value = Tensorflow_AttrValue()
        value.value = .list(list)
        return value
    }

    static func shape(_ dims: [Int64]) -> Tensorflow_AttrValue {
        var value = Tensorflow_AttrValue()
        value.value = .shape(GraphShape.known(dims))
        return value
    }

    static func bool(_ flag: Bool) -> Tensorflow_AttrValue {
        var value = Tensorflow_AttrValue()
        value.value = .b(flag)
        return value
    }

    static func int(_ number: Int64) -> Tensorflow_AttrValue {
        var value = Tensorflow_AttrValue()
        value.value = .i(number)
        return value
    }

    static func string(_ text: String) -> Tensorflow_AttrValue {
        var value = Tensorflow_AttrValue()
        value.value = .s(Data(text.utf8))
        return value
    }

    static func tensor(_ tensor: Tensorflow_TensorProto) -> Tensorflow_AttrValue {
        var value = Tensorflow_AttrValue()
        value.value = .tensor(tensor)
        return value
    }
}

/// `TensorShapeProto`s. An empty proto is a *scalar*; `unknown_rank` is only for unknown shapes.
enum GraphShape {
    static func known(_ dims: [Int64]) -> Tensorflow_TensorShapeProto {
        var shape = Tensorflow_TensorShapeProto()
        shape.dim = dims.map { size in
            var dim = Tensorflow_TensorShapeProto.Dim()
            dim.size = size
            return dim
        }
        return shape
    }
}

/// `TensorProto` values for `Const` nodes, in the encodings Python's `make_tensor_proto` picks
/// (spec §2.4): scalars and splats in the `*_val` fields, multi-element int32 in `tensor_content`,
/// strings always in `string_val`.
enum GraphConst {
    private static func base(_ dtype: Tensorflow_DataType, _ dims: [Int64]) -> Tensorflow_TensorProto {
        var tensor = Tensorflow_TensorProto()
        tensor.dtype = dtype
        tensor.tensorShape = GraphShape.known(dims)
        return tensor
    }

    /// A float tensor whose every element is `value` (short form: one `float_val`).
    static func float(_ value: Float, shape dims: [Int64] = []) -> Tensorflow_TensorProto {
        var tensor = base(.dtFloat, dims)
        tensor.floatVal = [value]
        return tensor
    }

    /// An int32 scalar or splat (`int_val`).
    static func int32(_ value: Int32, shape dims: [Int64] = []) -> Tensorflow_TensorProto {
        var tensor = base(.dtInt32, dims)
        tensor.intVal = [value]
        return tensor
    }

    /// A 1-D int32 vector with raw little-endian `tensor_content` (as TF writes shape constants).
    static func int32Vector(_ values: [Int32]) -> Tensorflow_TensorProto {
        var tensor = base(.dtInt32, [Int64(values.count)])
        var bytes = Data(capacity: values.count * 4)
        for value in values { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        tensor.tensorContent = bytes
        return tensor
    }

    static func int64(_ value: Int64, shape dims: [Int64] = []) -> Tensorflow_TensorProto {
        var tensor = base(.dtInt64, dims)
        tensor.int64Val = [value]
        return tensor
    }

    static func string(_ value: String) -> Tensorflow_TensorProto {
        var tensor = base(.dtString, [])
        tensor.stringVal = [Data(value.utf8)]
        return tensor
    }

    static func strings(_ values: [String]) -> Tensorflow_TensorProto {
        var tensor = base(.dtString, [Int64(values.count)])
        tensor.stringVal = values.map { Data($0.utf8) }
        return tensor
    }
}

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

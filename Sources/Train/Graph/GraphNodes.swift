import Foundation
import Registry

/// Accumulates the `NodeDef`s of one graph in creation order, with attrs sorted the way TF writes them.
struct GraphNodes {
    private(set) var nodes: [Tensorflow_NodeDef] = []
    private var names: Set<String> = []

    /// Adds a node and returns its name (for use as an input).
    @discardableResult
    mutating func add(_ name: String, op: String, inputs: [String] = [], controlInputs: [String] = [],
                      attrs: [String: Tensorflow_AttrValue] = [:], device: String = "", fullType: [UInt8] = []) -> String {
        precondition(names.insert(name).inserted, "duplicate node name \(name)")
        var node = Tensorflow_NodeDef()
        node.name = name
        node.op = op
        node.input = inputs + controlInputs.sorted(by: BytewiseOrder.precedes).map { "^" + $0 }
        node.device = device
        node.experimentalType = Data(fullType)
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

    // MARK: Variables, constants and grouping

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

    /// `classes = ArgMax(logits, classes/dimension)` with int64 output.
    @discardableResult
    mutating func classes(logits: String) -> String {
        let dimension = const("classes/dimension", GraphConst.int32(1))
        return add("classes", op: "ArgMax", inputs: [logits, dimension], attrs: [
            "T": GraphAttr.type(.dtFloat), "Tidx": GraphAttr.type(.dtInt32), "output_type": GraphAttr.type(.dtInt64),
        ])
    }

    // MARK: Arithmetic and shapes (float32 unless `T` says otherwise)

    /// An op whose only attr is its element type `T` (Mul, Sub, Neg, Exp, DivNoNan, LogSoftmax, …).
    @discardableResult
    mutating func op(_ name: String, _ op: String, _ inputs: [String], T dtype: Tensorflow_DataType = .dtFloat,
                     controlInputs: [String] = []) -> String {
        add(name, op: op, inputs: inputs, controlInputs: controlInputs, attrs: ["T": GraphAttr.type(dtype)])
    }

    /// `Shape` of a float tensor, as int32, with the full type TF's Python front end records for
    /// it (`experimental_type`, from the op's `experimental_full_type`).
    @discardableResult
    mutating func shape(_ name: String, of input: String, controlInputs: [String] = []) -> String {
        add(name, op: "Shape", inputs: [input], controlInputs: controlInputs,
            attrs: ["T": GraphAttr.type(.dtFloat), "out_type": GraphAttr.type(.dtInt32)], fullType: Self.int32ShapeTensor)
    }

    /// `FullTypeDef` TFT_PRODUCT(3)[TFT_SHAPE_TENSOR(1005)[TFT_INT32(207)]], encoded (fields
    /// `type_id` = 1, `args` = 2), as TF 2.21 writes it on every `Shape` node.
    static let int32ShapeTensor: [UInt8] = [0x08, 0x03, 0x12, 0x08, 0x08, 0xED, 0x07, 0x12, 0x03, 0x08, 0xCF, 0x01]

    mutating func reshape(_ name: String, _ tensor: String, to shape: String) -> String {
        add(name, op: "Reshape", inputs: [tensor, shape], attrs: ["T": GraphAttr.type(.dtFloat), "Tshape": GraphAttr.type(.dtInt32)])
    }

    mutating func sum(_ name: String, _ input: String, axes: String, keepDims: Bool = false, T dtype: Tensorflow_DataType = .dtFloat) -> String {
        add(name, op: "Sum", inputs: [input, axes], attrs: [
            "T": GraphAttr.type(dtype), "Tidx": GraphAttr.type(.dtInt32), "keep_dims": GraphAttr.bool(keepDims),
        ])
    }

    mutating func fill(_ name: String, dims: String, value: String, T dtype: Tensorflow_DataType = .dtFloat) -> String {
        add(name, op: "Fill", inputs: [dims, value], attrs: ["T": GraphAttr.type(dtype), "index_type": GraphAttr.type(.dtInt32)])
    }

    mutating func tile(_ name: String, _ input: String, multiples: String) -> String {
        add(name, op: "Tile", inputs: [input, multiples], attrs: ["T": GraphAttr.type(.dtFloat), "Tmultiples": GraphAttr.type(.dtInt32)])
    }

    /// `Range(start, limit, delta)` over int32.
    mutating func range(_ name: String, start: String, limit: String, delta: String) -> String {
        add(name, op: "Range", inputs: [start, limit, delta], attrs: ["Tidx": GraphAttr.type(.dtInt32)])
    }

    /// `Pack` of int32 scalars along axis 0.
    mutating func pack(_ name: String, _ values: [String]) -> String {
        add(name, op: "Pack", inputs: values, attrs: [
            "N": GraphAttr.int(Int64(values.count)), "T": GraphAttr.type(.dtInt32), "axis": GraphAttr.int(0),
        ])
    }

    /// `Slice` of an int32 vector.
    mutating func slice(_ name: String, _ input: String, begin: String, size: String) -> String {
        add(name, op: "Slice", inputs: [input, begin, size], attrs: ["Index": GraphAttr.type(.dtInt32), "T": GraphAttr.type(.dtInt32)])
    }

    /// `MatMul` of float matrices; `grad_a`/`grad_b` mark the products TF's gradient adds.
    mutating func matMul(_ name: String, _ a: String, _ b: String, transposeA: Bool = false, transposeB: Bool = false,
                         gradA: Bool = false, gradB: Bool = false) -> String {
        add(name, op: "MatMul", inputs: [a, b], attrs: [
            "T": GraphAttr.type(.dtFloat), "grad_a": GraphAttr.bool(gradA), "grad_b": GraphAttr.bool(gradB),
            "transpose_a": GraphAttr.bool(transposeA), "transpose_b": GraphAttr.bool(transposeB),
        ])
    }

    /// `tf.tuple(tensors)` under `scope` (what `tf.gradients` does with an op's input gradients
    /// when there are several): a `group_deps` NoOp waiting for every producer, then one
    /// `control_dependency[_i]` Identity per tensor that waits for it. Returns the Identities.
    mutating func tuple(_ scope: String, _ tensors: [String]) -> [String] {
        let gate = noOp(scope + "/group_deps", controlInputs: tensors.map(Self.nodeName))
        return tensors.enumerated().map { index, tensor in
            identity(index == 0 ? scope + "/control_dependency" : "\(scope)/control_dependency_\(index)", tensor,
                     dtype: .dtFloat, controlInputs: [gate])
        }
    }

    /// The node that produces `tensor` (`name:1` → `name`).
    static func nodeName(_ tensor: String) -> String {
        guard let colon = tensor.lastIndex(of: ":"), tensor[tensor.index(after: colon)...].allSatisfy(\.isNumber) else { return tensor }
        return String(tensor[..<colon])
    }
}

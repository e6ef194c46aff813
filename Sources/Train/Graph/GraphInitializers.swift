import Registry

/// The initial values TF1's initializers put in a graph for a new variable.
enum GraphInitializers {
    /// `tf.compat.v1.zeros`: a `Const` for fewer than 1000 elements (`_constant_if_small`),
    /// else `Fill(NAME/shape_as_tensor, NAME/Const)`, which keeps big zero tensors out of the graph.
    static func zeros(_ nodes: inout GraphNodes, _ name: String, dtype: Tensorflow_DataType, shape: [Int64]) -> String {
        let zero: Tensorflow_TensorProto = dtype == .dtInt64 ? GraphConst.int64(0, shape: shape) : GraphConst.float(0, shape: shape)
        guard shape.reduce(1, *) >= 1000 else { return nodes.const(name, zero) }
        let dims = nodes.const(name + "/shape_as_tensor", GraphConst.int32Vector(shape.map(Int32.init)))
        let value = nodes.const(name + "/Const", dtype == .dtInt64 ? GraphConst.int64(0) : GraphConst.float(0))
        return nodes.fill(name, dims: dims, value: value, T: dtype)
    }

    /// `NAME/Initializer/random_uniform` = min + (max - min) * RandomUniform(shape), with
    /// max = sqrt(6 / (fan_in + fan_out)) (Glorot uniform, TF1's default dense kernel initializer).
    static func glorotUniform(_ nodes: inout GraphNodes, _ name: String, fanIn: Int, fanOut: Int) -> String {
        let scope = name + "/Initializer/random_uniform"
        let limit = Float((6.0 / Double(fanIn + fanOut)).squareRoot())
        let shape = nodes.const(scope + "/shape", GraphConst.int32Vector([Int32(fanIn), Int32(fanOut)]))
        let low = nodes.const(scope + "/min", GraphConst.float(-limit))
        let high = nodes.const(scope + "/max", GraphConst.float(limit))
        let random = nodes.add(scope + "/RandomUniform", op: "RandomUniform", inputs: [shape], attrs: [
            "T": GraphAttr.type(.dtInt32), "dtype": GraphAttr.type(.dtFloat), "seed": GraphAttr.int(0), "seed2": GraphAttr.int(0),
        ])
        let range = nodes.op(scope + "/sub", "Sub", [high, low])
        let scaled = nodes.op(scope + "/mul", "Mul", [random, range])
        return nodes.op(scope, "AddV2", [scaled, low])
    }
}

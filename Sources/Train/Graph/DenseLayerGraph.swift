import Registry

/// One dense layer in a graph, as `tf.layers.dense` builds it and as `tf.gradients` differentiates it.
enum DenseLayerGraph {
    /// `MatMul` → `BiasAdd` (→ `Relu`); returns the layer's output tensor.
    static func forward(_ nodes: inout GraphNodes, _ layer: LayerSpec, input: String, kernel: String, bias: String) -> String {
        let matmul = nodes.matMul("\(layer.name)/MatMul", input, kernel)
        let biasAdd = nodes.add("\(layer.name)/BiasAdd", op: "BiasAdd", inputs: [matmul, bias], attrs: [
            "T": GraphAttr.type(.dtFloat), "data_format": GraphAttr.string("NHWC"),
        ])
        guard layer.relu else { return biasAdd }
        return nodes.op("\(layer.name)/Relu", "Relu", [biasAdd])
    }

    /// The gradients of one layer's variables and input.
    struct Gradients {
        var kernel: String
        var bias: String
        var input: String
    }

    /// The ops `tf.gradients` adds under `gradients/NAME/` for a layer whose output's gradient is
    /// `outputGradient`: `ReluGrad` (if any), `BiasAddGrad`, both `MatMul`s of the product rule,
    /// each op's results gated by a `tuple`.
    static func backward(_ nodes: inout GraphNodes, _ layer: LayerSpec, input: String, kernel: String,
                         outputGradient: String) -> Gradients {
        let scope = "gradients/\(layer.name)"
        var upstream = outputGradient
        if layer.relu {
            upstream = nodes.op("\(scope)/Relu_grad/ReluGrad", "ReluGrad", [upstream, "\(layer.name)/Relu"])
        }
        let biasGrad = nodes.add("\(scope)/BiasAdd_grad/BiasAddGrad", op: "BiasAddGrad", inputs: [upstream], attrs: [
            "T": GraphAttr.type(.dtFloat), "data_format": GraphAttr.string("NHWC"),
        ])
        let biasAdd = nodes.tuple("\(scope)/BiasAdd_grad/tuple", [upstream, biasGrad])
        let inputGrad = nodes.matMul("\(scope)/MatMul_grad/MatMul", biasAdd[0], kernel, transposeB: true, gradA: true)
        let kernelGrad = nodes.matMul("\(scope)/MatMul_grad/MatMul_1", input, biasAdd[0], transposeA: true, gradB: true)
        let matmul = nodes.tuple("\(scope)/MatMul_grad/tuple", [inputGrad, kernelGrad])
        return Gradients(kernel: matmul[1], bias: biasAdd[1], input: matmul[0])
    }
}

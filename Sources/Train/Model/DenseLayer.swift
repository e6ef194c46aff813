/// The gradients of one dense layer's variables.
public struct DenseGradient: Sendable, Equatable {
    /// d(loss)/d(kernel), `inputs × outputs`.
    public var kernel: Matrix
    /// d(loss)/d(bias), `outputs`.
    public var bias: [Float]

    public init(kernel: Matrix, bias: [Float]) {
        self.kernel = kernel
        self.bias = bias
    }
}

/// `y = relu?(x · kernel + bias)`, as `tf.layers.dense` builds it: MatMul, then BiasAdd,
/// then Relu when the spec asks for it. Variables are `NAME/kernel` `[inputs, outputs]` and
/// `NAME/bias` `[outputs]`.
public struct DenseLayer: Sendable, Equatable {
    public let spec: LayerSpec
    /// `inputs × outputs`. Plain stored properties (no observers) so that the optimizer can
    /// update elements in place; every use checks the shapes.
    public var kernel: Matrix
    /// `outputs` values.
    public var bias: [Float]

    public init(spec: LayerSpec, kernel: Matrix, bias: [Float]) {
        precondition(kernel.rows == spec.inputs && kernel.columns == spec.outputs,
                     "DenseLayer \(spec.name): kernel is \(kernel.rows)×\(kernel.columns), spec says \(spec.inputs)×\(spec.outputs)")
        precondition(bias.count == spec.outputs, "DenseLayer \(spec.name): bias has \(bias.count) values, spec says \(spec.outputs)")
        self.spec = spec
        self.kernel = kernel
        self.bias = bias
    }

    /// A layer with all-zero variables.
    public init(zeros spec: LayerSpec) {
        self.init(spec: spec, kernel: Matrix(rows: spec.inputs, columns: spec.outputs), bias: [Float](repeating: 0, count: spec.outputs))
    }

    public var kernelName: String { "\(spec.name)/kernel" }
    public var biasName: String { "\(spec.name)/bias" }

    /// The layer's output for a batch `x` (`batch × inputs`).
    public func forward(_ x: Matrix) -> Matrix {
        precondition(x.columns == spec.inputs, "DenseLayer \(spec.name): input has \(x.columns) columns, expected \(spec.inputs)")
        var y = BLAS.product(x, kernel)
        y.addRowVector(bias)
        if spec.relu {
            // Over a buffer pointer: indexing the array checked it was unique at every element,
            // which took as long as the whole relu (measured on the seed epoch with perf).
            y.values.withUnsafeMutableBufferPointer { values in
                for i in values.indices where !(values[i] > 0) {
                    // max(x, 0) like TF's Relu; NaN stays NaN.
                    if !values[i].isNaN { values[i] = 0 }
                }
            }
        }
        return y
    }

    /// Back-propagates `outputGradient` (d(loss)/d(y), `batch × outputs`) through the layer
    /// whose forward pass mapped `input` to `output`. Returns the variables' gradients and,
    /// when asked, d(loss)/d(input).
    public func backward(input: Matrix, output: Matrix, outputGradient: Matrix,
                         needInputGradient: Bool) -> (gradient: DenseGradient, inputGradient: Matrix?) {
        precondition(outputGradient.rows == input.rows && outputGradient.columns == spec.outputs,
                     "DenseLayer \(spec.name): gradient is \(outputGradient.rows)×\(outputGradient.columns), expected \(input.rows)×\(spec.outputs)")
        var dz = outputGradient
        if spec.relu {
            // ReluGrad: the gradient passes where the ReLU's output is positive.
            precondition(output.rows == dz.rows && output.columns == dz.columns, "DenseLayer \(spec.name): cached output has the wrong shape")
            output.values.withUnsafeBufferPointer { output in
                dz.values.withUnsafeMutableBufferPointer { dz in
                    for i in dz.indices where !(output[i] > 0) { dz[i] = 0 }
                }
            }
        }
        let kernelGradient = BLAS.product(input, transposeA: true, dz)
        let biasGradient = dz.columnSums()
        let inputGradient = needInputGradient ? BLAS.product(dz, kernel, transposeB: true) : nil
        return (DenseGradient(kernel: kernelGradient, bias: biasGradient), inputGradient)
    }
}

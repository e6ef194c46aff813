import Registry

/// The ops `tf.gradients(loss)` adds for `SoftmaxCrossEntropyGraph`, from `d loss / d loss = 1`
/// back to the logits, with TF's names (`gradients/softmax_cross_entropy_loss/…_grad/…`) and its
/// registered gradient functions: DivNoNan, Sum (over a scalar, a vector and a matrix row), Mul,
/// Reshape, Neg, LogSoftmax. An op with several input gradients gates them with a `tuple`.
extension SoftmaxCrossEntropyGraph {
    /// Adds the gradient ops; returns `d loss / d logits` (`[?, classes]`).
    func addGradient(to nodes: inout GraphNodes) -> String {
        let shape = nodes.const("gradients/Shape", GraphConst.empty(.dtInt32))
        let one = nodes.const("gradients/grad_ys_0/Const", GraphConst.float(1))
        let seed = nodes.fill("gradients/grad_ys_0", dims: shape, value: one)
        let dTotal = valueGradient(&nodes, seed)
        let dPerExample = weightedSumGradient(&nodes, dTotal)
        let dProduct = crossEntropySumGradient(&nodes, dPerExample)
        let dLogSoftmax = productGradient(&nodes, dProduct)
        let dFlat = logSoftmaxGradient(&nodes, dLogSoftmax)
        let target = nodes.const("gradients/\(Self.xentropy)/Reshape_grad/Reshape/shape", GraphConst.int32Vector([-1, Int32(classes)]))
        return nodes.reshape("gradients/\(Self.xentropy)/Reshape_grad/Reshape", dFlat, to: target)
    }

    /// `value = DivNoNan(total, numPresent)`, both scalars: `d/d total = DivNoNan(g, n)`, and
    /// `d/d n = g · DivNoNan(DivNoNan(-total, n), n)`. Returns `d / d total`.
    private func valueGradient(_ nodes: inout GraphNodes, _ gradient: String) -> String {
        let scope = "gradients/\(Self.scope)/value_grad"
        let dTotal = nodes.op(scope + "/div_no_nan", "DivNoNan", [gradient, mean.numPresent])
        let negative = nodes.op(scope + "/Neg", "Neg", [mean.total])
        let once = nodes.op(scope + "/div_no_nan_1", "DivNoNan", [negative, mean.numPresent])
        let twice = nodes.op(scope + "/div_no_nan_2", "DivNoNan", [once, mean.numPresent])
        let dCount = nodes.op(scope + "/mul", "Mul", [gradient, twice])
        nodes.const(scope + "/Shape", GraphConst.empty(.dtInt32))
        nodes.const(scope + "/Shape_1", GraphConst.empty(.dtInt32))
        return nodes.tuple(scope + "/tuple", [dTotal, dCount])[0]
    }

    /// Through `Sum_1` (of a scalar), `Sum` (of the weighted vector) and `Mul` (by the weight):
    /// returns `d / d perExample`.
    private func weightedSumGradient(_ nodes: inout GraphNodes, _ dTotal: String) -> String {
        let sum1 = "gradients/\(Self.scope)/Sum_1_grad"
        nodes.const(sum1 + "/Reshape/shape", GraphConst.empty(.dtFloat))  // TF's unused first try at `[]`
        let scalar = nodes.const(sum1 + "/Reshape/shape_1", GraphConst.empty(.dtInt32))
        let reshaped = nodes.reshape(sum1 + "/Reshape", dTotal, to: scalar)
        let multiples = nodes.const(sum1 + "/Const", GraphConst.empty(.dtInt32))
        let dWeightedSum = nodes.tile(sum1 + "/Tile", reshaped, multiples: multiples)

        let sum = "gradients/\(Self.scope)/Sum_grad"
        let vector = nodes.const(sum + "/Reshape/shape", GraphConst.int32(1, shape: [1]))
        let column = nodes.reshape(sum + "/Reshape", dWeightedSum, to: vector)
        let rows = nodes.shape(sum + "/Shape", of: mean.weighted)
        let dWeighted = nodes.tile(sum + "/Tile", column, multiples: rows)

        let mul = "gradients/\(Self.scope)/Mul_grad"
        let dPerExample = nodes.op(mul + "/Mul", "Mul", [dWeighted, mean.weight])
        let byWeight = nodes.op(mul + "/Mul_1", "Mul", [crossEntropy.perExample, dWeighted])
        nodes.shape(mul + "/Shape", of: crossEntropy.perExample)
        let scalarShape = nodes.const(mul + "/Shape_1", GraphConst.empty(.dtInt32))
        let axes = nodes.const(mul + "/Sum/reduction_indices", GraphConst.int32(0, shape: [1]))
        let summed = nodes.sum(mul + "/Sum", byWeight, axes: axes, keepDims: true)
        let dWeight = nodes.reshape(mul + "/Reshape", summed, to: scalarShape)
        return nodes.tuple(mul + "/tuple", [dPerExample, dWeight])[0]
    }

    /// Through `Reshape_2`, `Neg` and the row `Sum` of the cross-entropy: returns `d / d product`.
    private func crossEntropySumGradient(_ nodes: inout GraphNodes, _ dPerExample: String) -> String {
        let x = "gradients/\(Self.xentropy)"
        let flat = nodes.const(x + "/Reshape_2_grad/Reshape/shape", GraphConst.int32(-1, shape: [1]))
        let dNegative = nodes.reshape(x + "/Reshape_2_grad/Reshape", dPerExample, to: flat)
        let dSum = nodes.op(x + "/Neg_grad/Neg", "Neg", [dNegative])

        // math_grad._SumGrad with a dynamic input shape: reduced_shape(), Reshape, BroadcastTo.
        let scope = x + "/Sum_grad"
        let inputShape = nodes.shape(scope + "/Shape", of: crossEntropy.product)
        let size = nodes.const(scope + "/Size", GraphConst.int32(2))
        let shifted = nodes.op(scope + "/add", "AddV2", [crossEntropy.productAxes, size], T: .dtInt32)
        let axes = nodes.op(scope + "/mod", "FloorMod", [shifted, size], T: .dtInt32)
        let axesShape = nodes.const(scope + "/Shape_1", GraphConst.empty(.dtInt32))
        let start = nodes.const(scope + "/range/start", GraphConst.int32(0))
        let delta = nodes.const(scope + "/range/delta", GraphConst.int32(1))
        let all = nodes.range(scope + "/range", start: start, limit: size, delta: delta)
        let one = nodes.const(scope + "/ones/Const", GraphConst.int32(1))
        let ones = nodes.fill(scope + "/ones", dims: axesShape, value: one, T: .dtInt32)
        let keptShape = nodes.add(scope + "/DynamicStitch", op: "DynamicStitch", inputs: [all, axes, inputShape, ones], attrs: [
            "N": GraphAttr.int(2), "T": GraphAttr.type(.dtInt32),
        ])
        let kept = nodes.reshape(scope + "/Reshape", dSum, to: keptShape)
        return nodes.add(scope + "/BroadcastTo", op: "BroadcastTo", inputs: [kept, inputShape], attrs: [
            "T": GraphAttr.type(.dtFloat), "Tidx": GraphAttr.type(.dtInt32),
        ])
    }

    /// `product = labelsFlat · logSoftmax` (same shapes, broadcast-checked at run time):
    /// returns `d / d logSoftmax`.
    private func productGradient(_ nodes: inout GraphNodes, _ dProduct: String) -> String {
        let scope = "gradients/\(Self.xentropy)/mul_grad"
        let byLogSoftmax = nodes.op(scope + "/Mul", "Mul", [dProduct, crossEntropy.logSoftmax])
        let byLabels = nodes.op(scope + "/Mul_1", "Mul", [crossEntropy.labelsFlat, dProduct])
        let labelsShape = nodes.shape(scope + "/Shape", of: crossEntropy.labelsFlat)
        let logSoftmaxShape = nodes.shape(scope + "/Shape_1", of: crossEntropy.logSoftmax)
        let axes = nodes.add(scope + "/BroadcastGradientArgs", op: "BroadcastGradientArgs", inputs: [labelsShape, logSoftmaxShape],
                             attrs: ["T": GraphAttr.type(.dtInt32)])
        let sum = nodes.sum(scope + "/Sum", byLogSoftmax, axes: axes, keepDims: true)
        let dLabels = nodes.reshape(scope + "/Reshape", sum, to: labelsShape)
        let sum1 = nodes.sum(scope + "/Sum_1", byLabels, axes: axes + ":1", keepDims: true)
        let dLogSoftmax = nodes.reshape(scope + "/Reshape_1", sum1, to: logSoftmaxShape)
        return nodes.tuple(scope + "/tuple", [dLabels, dLogSoftmax])[1]
    }

    /// `d LogSoftmax(z) = g - Σ g · exp(LogSoftmax(z))` over each row.
    private func logSoftmaxGradient(_ nodes: inout GraphNodes, _ gradient: String) -> String {
        let scope = "gradients/\(Self.xentropy)/LogSoftmax_grad"
        let softmax = nodes.op(scope + "/Exp", "Exp", [crossEntropy.logSoftmax])
        let axis = nodes.const(scope + "/Sum/reduction_indices", GraphConst.int32(-1))
        let sum = nodes.sum(scope + "/Sum", gradient, axes: axis, keepDims: true)
        let scaled = nodes.op(scope + "/mul", "Mul", [sum, softmax])
        return nodes.op(scope + "/sub", "Sub", [gradient, scaled])
    }
}

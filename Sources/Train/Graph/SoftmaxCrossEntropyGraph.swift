import Registry

/// `tf.compat.v1.losses.softmax_cross_entropy(tf.one_hot(labels, C), logits)` as TF 2.21 builds it
/// with op determinism on (the fixture `seed_mlp_training` was written so): one-hot labels, the
/// cross-entropy as `-Σ onehot · LogSoftmax(logits)` on flattened rows, and
/// `compute_weighted_loss`'s mean over the non-zero weights (`DivNoNan(Σ loss, num_present)`).
/// The names are TF's, so the gradient (`SoftmaxCrossEntropyGradient`) can follow them.
struct SoftmaxCrossEntropyGraph {
    static let scope = "softmax_cross_entropy_loss"
    static let xentropy = scope + "/xentropy"

    /// `softmax_cross_entropy_with_logits` per example: `-Σ labelsFlat · logSoftmax` by row.
    struct CrossEntropy {
        /// The flattened one-hot labels and `LogSoftmax` of the flattened logits.
        let labelsFlat, logSoftmax: String
        /// Their product and the axis it is summed over.
        let product, productAxes: String
        /// The loss of each example, `[?]`.
        let perExample: String
    }

    /// `compute_weighted_loss(perExample, weights=1.0)`, reduced by `SUM_BY_NONZERO_WEIGHTS`.
    struct WeightedMean {
        /// The weight (1), the weighted losses and their sum over the batch.
        let weight, weighted, weightedSum: String
        /// `weightedSum` reduced over all axes, and the number of non-zero weights (the batch size).
        let total, numPresent: String
        /// The loss: `softmax_cross_entropy_loss/value` = `DivNoNan(total, numPresent)`.
        let value: String
    }

    let classes: Int
    let crossEntropy: CrossEntropy
    let mean: WeightedMean

    /// The loss tensor.
    var value: String { mean.value }

    /// Adds the loss of `logits` (`[?, classes]`) against int32 `labels` (`[?]`).
    static func add(to nodes: inout GraphNodes, logits: String, labels: String, classes: Int) -> Self {
        let on = nodes.const("one_hot/on_value", GraphConst.float(1))
        let off = nodes.const("one_hot/off_value", GraphConst.float(0))
        let depth = nodes.const("one_hot/depth", GraphConst.int32(Int32(classes)))
        let oneHot = nodes.add("one_hot", op: "OneHot", inputs: [labels, depth, on, off], attrs: [
            "T": GraphAttr.type(.dtFloat), "TI": GraphAttr.type(.dtInt32), "axis": GraphAttr.int(-1),
        ])
        let stopped = nodes.op(scope + "/labels_stop_gradient", "StopGradient", [oneHot])
        let crossEntropy = addCrossEntropy(&nodes, logits: logits, labels: stopped)
        return Self(classes: classes, crossEntropy: crossEntropy, mean: addWeightedMean(&nodes, of: crossEntropy.perExample))
    }

    /// `softmax_cross_entropy_with_logits_v2` (deterministic form) on `[?, classes]` tensors.
    private static func addCrossEntropy(_ nodes: inout GraphNodes, logits: String, labels: String) -> CrossEntropy {
        let x = xentropy
        let rank = nodes.const(x + "/Rank", GraphConst.int32(2))
        let shape = nodes.shape(x + "/Shape", of: logits)
        let logitsFlat = flattenOuterDims(&nodes, logits, rank: "Rank_1", shape: "Shape_1", suffix: "")
        let labelsFlat = flattenOuterDims(&nodes, labels, rank: "Rank_2", shape: "Shape_2", suffix: "_1")
        let logSoftmax = nodes.op(x + "/LogSoftmax", "LogSoftmax", [logitsFlat])
        let product = nodes.op(x + "/mul", "Mul", [labelsFlat, logSoftmax])
        let productAxes = nodes.const(x + "/Sum/reduction_indices", GraphConst.int32(1))
        let sum = nodes.sum(x + "/Sum", product, axes: productAxes)
        let negative = nodes.op(x + "/Neg", "Neg", [sum])
        let one = nodes.const(x + "/Sub_2/y", GraphConst.int32(1))
        let outerRank = nodes.op(x + "/Sub_2", "Sub", [rank, one], T: .dtInt32)
        let begin = nodes.const(x + "/Slice_2/begin", GraphConst.int32(0, shape: [1]))
        let size = nodes.pack(x + "/Slice_2/size", [outerRank])
        let outerShape = nodes.slice(x + "/Slice_2", shape, begin: begin, size: size)
        let perExample = nodes.reshape(x + "/Reshape_2", negative, to: outerShape)
        return CrossEntropy(labelsFlat: labelsFlat, logSoftmax: logSoftmax, product: product, productAxes: productAxes, perExample: perExample)
    }

    /// `_flatten_outer_dims`: `Reshape(input, [-1, last dimension])`.
    private static func flattenOuterDims(_ nodes: inout GraphNodes, _ input: String, rank: String, shape: String, suffix: String) -> String {
        let x = xentropy
        let inputRank = nodes.const("\(x)/\(rank)", GraphConst.int32(2))
        let inputShape = nodes.shape("\(x)/\(shape)", of: input)
        let one = nodes.const("\(x)/Sub\(suffix)/y", GraphConst.int32(1))
        let last = nodes.op("\(x)/Sub\(suffix)", "Sub", [inputRank, one], T: .dtInt32)
        let begin = nodes.pack("\(x)/Slice\(suffix)/begin", [last])
        let size = nodes.const("\(x)/Slice\(suffix)/size", GraphConst.int32(1, shape: [1]))
        let lastSize = nodes.slice("\(x)/Slice\(suffix)", inputShape, begin: begin, size: size)
        let rows = nodes.const("\(x)/concat\(suffix)/values_0", GraphConst.int32(-1, shape: [1]))
        let axis = nodes.const("\(x)/concat\(suffix)/axis", GraphConst.int32(0))
        let flat = nodes.add("\(x)/concat\(suffix)", op: "ConcatV2", inputs: [rows, lastSize, axis], attrs: [
            "N": GraphAttr.int(2), "T": GraphAttr.type(.dtInt32), "Tidx": GraphAttr.type(.dtInt32),
        ])
        return nodes.reshape("\(x)/Reshape\(suffix)", input, to: flat)
    }

    /// `compute_weighted_loss(perExample, weights=1.0)` with `SUM_BY_NONZERO_WEIGHTS`.
    private static func addWeightedMean(_ nodes: inout GraphNodes, of perExample: String) -> WeightedMean {
        let checked = assertBroadcastable(&nodes, scope + "/assert_broadcastable", values: perExample, after: [], weight: true)
        let weight = nodes.const(scope + "/Cast/x", GraphConst.float(1), controlInputs: [checked])
        let weighted = nodes.op(scope + "/Mul", "Mul", [perExample, weight])
        let axes = nodes.const(scope + "/Const", GraphConst.int32(0, shape: [1]), controlInputs: [checked])
        let weightedSum = nodes.sum(scope + "/Sum", weighted, axes: axes)
        let numPresent = addNumPresent(&nodes, weight: weight, perExample: perExample, after: checked)
        let rank = nodes.const(scope + "/Rank", GraphConst.int32(0), controlInputs: [checked])
        let start = nodes.const(scope + "/range/start", GraphConst.int32(0), controlInputs: [checked])
        let delta = nodes.const(scope + "/range/delta", GraphConst.int32(1), controlInputs: [checked])
        let all = nodes.range(scope + "/range", start: start, limit: rank, delta: delta)
        let total = nodes.sum(scope + "/Sum_1", weightedSum, axes: all)
        let value = nodes.op(scope + "/value", "DivNoNan", [total, numPresent])
        return WeightedMean(weight: weight, weighted: weighted, weightedSum: weightedSum, total: total, numPresent: numPresent, value: value)
    }

    /// `_num_present`: the count of non-zero weights broadcast to the per-example losses.
    private static func addNumPresent(_ nodes: inout GraphNodes, weight: String, perExample: String, after checked: String) -> String {
        let scope = scope + "/num_present"
        let zero = nodes.const(scope + "/Equal/y", GraphConst.float(0), controlInputs: [checked])
        let isZero = nodes.add(scope + "/Equal", op: "Equal", inputs: [weight, zero], attrs: [
            "T": GraphAttr.type(.dtFloat), "incompatible_shape_error": GraphAttr.bool(true),
        ])
        let zeros = nodes.const(scope + "/zeros_like", GraphConst.float(0), controlInputs: [checked])
        let onesShape = nodes.const(scope + "/ones_like/Shape/shape_as_tensor", GraphConst.empty(.dtInt32), controlInputs: [checked])
        let oneValue = nodes.const(scope + "/ones_like/Const", GraphConst.float(1), controlInputs: [checked])
        let ones = nodes.fill(scope + "/ones_like", dims: onesShape, value: oneValue)
        let present = nodes.op(scope + "/Select", "Select", [isZero, zeros, ones])
        let broadcast = scope + "/broadcast_weights"
        let inner = assertBroadcastable(&nodes, broadcast + "/assert_broadcastable", values: perExample, after: [checked], weight: false)
        let shape = nodes.shape(broadcast + "/ones_like/Shape", of: perExample, controlInputs: [checked, inner])
        let one = nodes.const(broadcast + "/ones_like/Const", GraphConst.float(1), controlInputs: [checked, inner])
        let broadcastOnes = nodes.fill(broadcast + "/ones_like", dims: shape, value: one)
        let weights = nodes.op(broadcast, "Mul", [present, broadcastOnes])
        let axes = nodes.const(scope + "/Const", GraphConst.int32(0, shape: [1]), controlInputs: [checked])
        return nodes.sum(scope, weights, axes: axes)
    }

    /// `assert_broadcastable` of a scalar weight: static shapes and ranks, then the NoOp
    /// `static_scalar_check_success` that later ops wait for. The outer one also records the weight.
    private static func assertBroadcastable(_ nodes: inout GraphNodes, _ scope: String, values: String, after: [String], weight: Bool) -> String {
        if weight { nodes.const(scope + "/weights", GraphConst.float(1)) }
        nodes.const(scope + "/weights/shape", GraphConst.empty(.dtInt32), controlInputs: after)
        nodes.const(scope + "/weights/rank", GraphConst.int32(0), controlInputs: after)
        nodes.shape(scope + "/values/shape", of: values, controlInputs: after)
        nodes.const(scope + "/values/rank", GraphConst.int32(1), controlInputs: after)
        return nodes.noOp(scope + "/static_scalar_check_success", controlInputs: after)
    }
}

import Foundation

/// `tf.compat.v1.losses.softmax_cross_entropy(tf.one_hot(labels, C), logits)` with its
/// defaults (weights 1, no label smoothing, reduction SUM_BY_NONZERO_WEIGHTS: the mean over
/// the batch), and `tf.nn.in_top_k(logits, labels, 1)`.
public enum SoftmaxCrossEntropy {
    /// The loss, its gradient with respect to the logits and the batch's correct predictions.
    public struct Result: Sendable, Equatable {
        /// Mean cross-entropy over the batch.
        public var loss: Float
        /// Cross-entropy of each example.
        public var perExample: [Float]
        /// d(loss)/d(logits): `(softmax − onehot) / batch`.
        public var logitsGradient: Matrix
        /// Examples whose label is in the top 1 of its logits (TF's `in_top_k`, k = 1).
        public var correct: Int
    }

    /// Loss, gradient and number correct for a batch of logits (`batch × classes`) and integer
    /// labels in `0..<classes`. Computed the way TF's SoftmaxCrossEntropyWithLogits kernel
    /// does: shift by the row maximum, `loss = log(Σ exp(shifted)) − shifted[label]`,
    /// `backprop = exp(shifted) / Σ − onehot`.
    public static func evaluate(logits: Matrix, labels: [Int32]) -> Result {
        let batch = logits.rows, classes = logits.columns
        precondition(labels.count == batch, "SoftmaxCrossEntropy: \(labels.count) labels for \(batch) rows")
        precondition(classes > 0, "SoftmaxCrossEntropy: no classes")
        var perExample = [Float](repeating: 0, count: batch)
        var gradient = Matrix(rows: batch, columns: classes)
        var total: Float = 0
        // d(mean)/d(per-example loss); exact for power-of-two batches such as 32.
        let scale: Float = batch > 0 ? 1 / Float(batch) : 0
        for r in 0..<batch {
            let label = Int(labels[r])
            precondition(label >= 0 && label < classes, "SoftmaxCrossEntropy: label \(label) outside 0..<\(classes)")
            let base = r * classes
            var maximum = -Float.infinity
            for c in 0..<classes { maximum = max(maximum, logits.values[base + c]) }
            var sum: Float = 0
            for c in 0..<classes { sum += exp(logits.values[base + c] - maximum) }
            let logSum = log(sum)
            var loss: Float = 0
            for c in 0..<classes {
                let shifted = logits.values[base + c] - maximum
                let target: Float = c == label ? 1 : 0
                // Σ onehot · (log Σ − shifted): only the label's term is non-zero.
                if c == label { loss = logSum - shifted }
                gradient.values[base + c] = (exp(shifted) / sum - target) * scale
            }
            perExample[r] = loss
            total += loss
        }
        let correct = inTopK(logits: logits, labels: labels, k: 1).reduce(0) { $0 + ($1 ? 1 : 0) }
        return Result(loss: batch > 0 ? total / Float(batch) : 0, perExample: perExample,
                      logitsGradient: gradient, correct: correct)
    }

    /// TensorFlow's `in_top_k`: the target is correct when fewer than `k` logits are strictly
    /// greater than the target's logit (ties count for the target). A row with any non-finite
    /// logit is incorrect.
    public static func inTopK(logits: Matrix, labels: [Int32], k: Int = 1) -> [Bool] {
        precondition(labels.count == logits.rows, "inTopK: \(labels.count) labels for \(logits.rows) rows")
        var out = [Bool](repeating: false, count: logits.rows)
        for r in 0..<logits.rows {
            let label = Int(labels[r])
            precondition(label >= 0 && label < logits.columns, "inTopK: label \(label) outside 0..<\(logits.columns)")
            let base = r * logits.columns
            let target = logits.values[base + label]
            guard target.isFinite else { continue }
            var greater = 0
            var finite = true
            for c in 0..<logits.columns {
                let value = logits.values[base + c]
                if !value.isFinite { finite = false; break }
                if value > target { greater += 1 }
            }
            out[r] = finite && greater < k
        }
        return out
    }
}

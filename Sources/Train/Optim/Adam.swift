/// The two moment slots Adam keeps for one variable (`VAR/Adam` and `VAR/Adam_1` in a TF1
/// checkpoint).
public struct AdamSlot: Sendable, Equatable {
    /// First moment (`VAR/Adam`).
    public var m: [Float]
    /// Second moment (`VAR/Adam_1`).
    public var v: [Float]

    public init(m: [Float], v: [Float]) {
        precondition(m.count == v.count, "AdamSlot: m has \(m.count) values, v has \(v.count)")
        self.m = m
        self.v = v
    }

    public init(zeros count: Int) {
        self.init(m: [Float](repeating: 0, count: count), v: [Float](repeating: 0, count: count))
    }
}

/// `tf.compat.v1.train.AdamOptimizer`, update for update: every variable goes through TF's
/// ApplyAdam kernel with the current beta powers, then both powers are multiplied by their
/// beta (TF's `_finish`). All arithmetic is Float32, in the kernel's order:
///
///     lr_t = lr · sqrt(1 − β2_power) / (1 − β1_power)
///     m   ← m + (g − m) · (1 − β1)
///     v   ← v + (g² − v) · (1 − β2)
///     var ← var − (m · lr_t) / (sqrt(v) + ε)
public struct Adam: Sendable, Equatable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    /// β1^t for the next step t (TF starts it at β1).
    public var beta1Power: Float
    /// β2^t for the next step t (TF starts it at β2).
    public var beta2Power: Float
    /// Moments by variable name.
    public var slots: [String: AdamSlot]

    public static let beta1PowerName = "beta1_power"
    public static let beta2PowerName = "beta2_power"

    /// Checkpoint names of a variable's slots: `VAR/Adam` (m) and `VAR/Adam_1` (v).
    public static func slotNames(of variable: String) -> (m: String, v: String) {
        ("\(variable)/Adam", "\(variable)/Adam_1")
    }

    /// A fresh optimizer (TF's defaults apart from the learning rate): zero slots for the
    /// given variables, beta powers at β1 and β2.
    public init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                variables: [(name: String, count: Int)] = []) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.beta1Power = beta1
        self.beta2Power = beta2
        self.slots = Dictionary(uniqueKeysWithValues: variables.map { ($0.name, AdamSlot(zeros: $0.count)) })
    }

    /// The step size of the coming update: `lr · sqrt(1 − β2_power) / (1 − β1_power)`.
    public var stepSize: Float {
        learningRate * (1 - beta2Power).squareRoot() / (1 - beta1Power)
    }

    /// ApplyAdam for one variable with the current beta powers. Call it for every variable of
    /// a step, then `finishStep()` once.
    public mutating func apply(to variable: inout [Float], gradient: [Float], name: String) {
        precondition(variable.count == gradient.count, "Adam: \(name) has \(variable.count) values, gradient \(gradient.count)")
        var slot = slots[name] ?? AdamSlot(zeros: variable.count)
        precondition(slot.m.count == variable.count, "Adam: slots of \(name) have \(slot.m.count) values, variable \(variable.count)")
        slots[name] = nil  // keep the arrays uniquely referenced while updating in place
        Self.applyAdam(variable: &variable, m: &slot.m, v: &slot.v, gradient: gradient,
                       stepSize: stepSize, beta1: beta1, beta2: beta2, epsilon: epsilon)
        slots[name] = slot
    }

    /// The end of a step: `β1_power ← β1_power · β1`, `β2_power ← β2_power · β2`.
    public mutating func finishStep() {
        beta1Power = beta1Power * beta1
        beta2Power = beta2Power * beta2
    }

    /// TF's ApplyAdam kernel (non-Nesterov) on flat arrays.
    public static func applyAdam(variable: inout [Float], m: inout [Float], v: inout [Float], gradient: [Float],
                                 stepSize: Float, beta1: Float, beta2: Float, epsilon: Float) {
        let oneMinusBeta1 = 1 - beta1
        let oneMinusBeta2 = 1 - beta2
        for i in variable.indices {
            let g = gradient[i]
            let mi = m[i] + (g - m[i]) * oneMinusBeta1
            let vi = v[i] + (g * g - v[i]) * oneMinusBeta2
            m[i] = mi
            v[i] = vi
            variable[i] = variable[i] - (mi * stepSize) / (vi.squareRoot() + epsilon)
        }
    }
}

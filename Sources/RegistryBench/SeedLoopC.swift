import CBenchSeedLoop
import Train

/// The seed network's epoch in C over the same OpenBLAS (`CBenchSeedLoop`), started from a
/// copy of a `TrainingState`: the floor `make bench` times the Swift epoch against.
struct SeedLoopC {
    private var state = seed_loop_state()
    /// Per layer: kernel, bias, kernel's m and v, bias's m and v (the C loop's order).
    private(set) var parameters: [Float]
    private var workspace: [Float]

    init(_ training: TrainingState, batchSize: Int) {
        let specs = training.layers
        precondition(specs.count <= Int(SEED_LOOP_MAX_LAYERS), "SeedLoopC: too many layers")
        var widths = [Int32](repeating: 0, count: Int(SEED_LOOP_MAX_LAYERS) + 1)
        var relu = [Int32](repeating: 0, count: Int(SEED_LOOP_MAX_LAYERS))
        widths[0] = Int32(specs[0].inputs)
        for (index, spec) in specs.enumerated() {
            widths[index + 1] = Int32(spec.outputs)
            relu[index] = spec.relu ? 1 : 0
        }
        state.layers = Int32(specs.count)
        withUnsafeMutableBytes(of: &state.widths) { $0.copyBytes(from: widths.withUnsafeBytes { Array($0) }) }
        withUnsafeMutableBytes(of: &state.relu) { $0.copyBytes(from: relu.withUnsafeBytes { Array($0) }) }
        let optimizer = training.optimizer
        state.learning_rate = optimizer.learningRate
        state.beta1 = optimizer.beta1
        state.beta2 = optimizer.beta2
        state.epsilon = optimizer.epsilon
        state.beta1_power = optimizer.beta1Power
        state.beta2_power = optimizer.beta2Power
        parameters = Self.parameters(of: training)
        precondition(parameters.count == widths.withUnsafeBufferPointer { seed_loop_parameter_count(Int32(specs.count), $0.baseAddress) })
        let scratch = widths.withUnsafeBufferPointer { seed_loop_workspace_count(Int32(specs.count), $0.baseAddress, Int32(batchSize)) }
        workspace = [Float](repeating: 0, count: scratch)
    }

    /// A training state's variables and Adam slots in the C loop's order.
    static func parameters(of training: TrainingState) -> [Float] {
        training.network.layers.flatMap { layer -> [Float] in
            let kernel = training.optimizer.slots[layer.kernelName] ?? AdamSlot(zeros: layer.kernel.count)
            let bias = training.optimizer.slots[layer.biasName] ?? AdamSlot(zeros: layer.bias.count)
            return layer.kernel.values + layer.bias + kernel.m + kernel.v + bias.m + bias.v
        }
    }

    /// One epoch over `dataset`'s batches; the mean batch loss and the examples counted correct.
    mutating func epoch(_ dataset: Dataset) -> (meanLoss: Float, correct: Int) {
        var correct: Int32 = 0
        let loss = parameters.withUnsafeMutableBufferPointer { p in
            workspace.withUnsafeMutableBufferPointer { w in
                dataset.inputs.values.withUnsafeBufferPointer { x in
                    dataset.labels.withUnsafeBufferPointer { y in
                        state.parameters = p.baseAddress
                        state.workspace = w.baseAddress
                        defer { state.parameters = nil; state.workspace = nil }
                        return seed_loop_epoch(&state, x.baseAddress, y.baseAddress, Int32(dataset.batchCount),
                                               Int32(dataset.batchSize), &correct)
                    }
                }
            }
        }
        precondition(!loss.isNaN, "SeedLoopC: OpenBLAS is not available")
        return (loss, Int(correct))
    }
}

import Registry

/// Everything a TF1 training checkpoint of the founding example holds: the network's
/// variables, Adam's slots and beta powers, and `global_step`. Training is deterministic:
/// the same state and data give the same bytes, however the epochs are split across
/// save/load round trips through `tensors()` / `init(tensors:layers:)`.
public struct TrainingState: Sendable, Equatable {
    /// The notebook's Adam learning rate.
    public static let defaultLearningRate: Float = 1e-4
    public static let globalStepName = "global_step"

    public var network: Network
    public var optimizer: Adam
    public var globalStep: Int64

    public init(network: Network, optimizer: Adam, globalStep: Int64 = 0) {
        self.network = network
        self.optimizer = optimizer
        self.globalStep = globalStep
    }

    /// A fresh state: kernels drawn Glorot-uniform (`tf.layers.dense`'s default,
    /// `U(−l, l)` with `l = sqrt(6 / (fan_in + fan_out))`) from `RandomState(seed)`'s
    /// `random_sample`, layer after layer, row-major; zero biases; zero Adam slots; beta
    /// powers at β1, β2; step 0.
    public init(seed: UInt32, layers: [LayerSpec] = LayerSpec.seedNetwork,
                learningRate: Float = TrainingState.defaultLearningRate) {
        var rng = RandomState(seed: seed)
        let dense = layers.map { spec -> DenseLayer in
            let limit = (6.0 / Double(spec.inputs + spec.outputs)).squareRoot()
            let values = (0..<(spec.inputs * spec.outputs)).map { _ in Float(limit * (2 * rng.randomSample() - 1)) }
            return DenseLayer(spec: spec, kernel: Matrix(rows: spec.inputs, columns: spec.outputs, values: values),
                              bias: [Float](repeating: 0, count: spec.outputs))
        }
        let network = Network(layers: dense)
        self.init(network: network,
                  optimizer: Adam(learningRate: learningRate, variables: Self.variables(of: network)),
                  globalStep: 0)
    }

    /// Rebuilds a state from checkpoint tensors by their bundle keys (`NAME/kernel`,
    /// `NAME/bias`, their `/Adam` and `/Adam_1` slots, `beta1_power`, `beta2_power`,
    /// `global_step`). Extra tensors are ignored. The learning rate is not in a checkpoint.
    public init(tensors: [String: NamedTensor], layers: [LayerSpec],
                learningRate: Float = TrainingState.defaultLearningRate) throws(TrainingStateError) {
        func floats(_ name: String, _ shape: [Int]) throws(TrainingStateError) -> [Float] {
            guard let tensor = tensors[name] else { throw .missing(name: name) }
            guard tensor.dtype == .float32 else { throw .wrongDType(name: name, expected: .float32, found: tensor.dtype) }
            let expected = shape.map(Int64.init)
            guard tensor.shape == expected else { throw .wrongShape(name: name, expected: expected, found: tensor.shape) }
            let count = shape.reduce(1, *)
            guard tensor.bytes.count == 4 * count else { throw .wrongByteCount(name: name, expected: 4 * count, found: tensor.bytes.count) }
            return tensor.floats
        }
        var dense: [DenseLayer] = []
        var slots: [String: AdamSlot] = [:]
        for spec in layers {
            let layer = DenseLayer(zeros: spec)
            let kernelShape = [spec.inputs, spec.outputs], biasShape = [spec.outputs]
            for (name, shape) in [(layer.kernelName, kernelShape), (layer.biasName, biasShape)] {
                let names = Adam.slotNames(of: name)
                slots[name] = AdamSlot(m: try floats(names.m, shape), v: try floats(names.v, shape))
            }
            dense.append(DenseLayer(spec: spec,
                                    kernel: Matrix(rows: spec.inputs, columns: spec.outputs, values: try floats(layer.kernelName, kernelShape)),
                                    bias: try floats(layer.biasName, biasShape)))
        }
        var optimizer = Adam(learningRate: learningRate)
        optimizer.slots = slots
        optimizer.beta1Power = try floats(Adam.beta1PowerName, [])[0]
        optimizer.beta2Power = try floats(Adam.beta2PowerName, [])[0]
        guard let step = tensors[Self.globalStepName] else { throw .missing(name: Self.globalStepName) }
        guard step.dtype == .int64 else { throw .wrongDType(name: Self.globalStepName, expected: .int64, found: step.dtype) }
        guard step.shape.isEmpty else { throw .wrongShape(name: Self.globalStepName, expected: [], found: step.shape) }
        guard let value = step.int64Value else { throw .wrongByteCount(name: Self.globalStepName, expected: 8, found: step.bytes.count) }
        self.init(network: Network(layers: dense), optimizer: optimizer, globalStep: value)
    }

    /// `init(tensors:layers:)` from a list (later duplicates win).
    public init(tensors: [NamedTensor], layers: [LayerSpec],
                learningRate: Float = TrainingState.defaultLearningRate) throws(TrainingStateError) {
        try self.init(tensors: Dictionary(tensors.map { ($0.name, $0) }, uniquingKeysWith: { $1 }),
                      layers: layers, learningRate: learningRate)
    }

    /// Every checkpoint tensor of the state, sorted by name (bundle key order).
    public func tensors() -> [NamedTensor] {
        var out: [NamedTensor] = []
        for layer in network.layers {
            let entries: [(String, [Float], [Int64])] = [
                (layer.kernelName, layer.kernel.values, [Int64(layer.spec.inputs), Int64(layer.spec.outputs)]),
                (layer.biasName, layer.bias, [Int64(layer.spec.outputs)]),
            ]
            for (name, values, shape) in entries {
                let slot = optimizer.slots[name] ?? AdamSlot(zeros: values.count)
                let names = Adam.slotNames(of: name)
                out.append(NamedTensor(name: name, floats: values, shape: shape))
                out.append(NamedTensor(name: names.m, floats: slot.m, shape: shape))
                out.append(NamedTensor(name: names.v, floats: slot.v, shape: shape))
            }
        }
        out.append(NamedTensor(name: Adam.beta1PowerName, floats: [optimizer.beta1Power], shape: []))
        out.append(NamedTensor(name: Adam.beta2PowerName, floats: [optimizer.beta2Power], shape: []))
        out.append(NamedTensor(name: Self.globalStepName, int64: globalStep))
        return out.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    public var layers: [LayerSpec] { network.specs }

    /// One Adam step on a batch (TF's `train_op`): forward, softmax cross-entropy,
    /// backward, ApplyAdam on every variable, beta powers updated, `global_step += 1`.
    /// Returns the batch's loss and how many examples were right before the update.
    @discardableResult
    public mutating func trainStep(inputs: Matrix, labels: [Int32]) -> (loss: Float, correct: Int) {
        let activations = network.forward(inputs)
        let result = SoftmaxCrossEntropy.evaluate(logits: activations.logits, labels: labels)
        let gradients = network.backward(activations, logitsGradient: result.logitsGradient)
        for index in network.layers.indices {
            let kernelName = network.layers[index].kernelName, biasName = network.layers[index].biasName
            optimizer.apply(to: &network.layers[index].kernel.values, gradient: gradients[index].kernel.values, name: kernelName)
            optimizer.apply(to: &network.layers[index].bias, gradient: gradients[index].bias, name: biasName)
        }
        optimizer.finishStep()
        globalStep += 1
        return (result.loss, result.correct)
    }

    /// One epoch: a step on every batch in order. Returns the mean of the batch losses and
    /// the fraction of examples in_top_k counted correct during the epoch.
    @discardableResult
    public mutating func trainEpoch(_ dataset: Dataset) -> (meanLoss: Float, accuracy: Double) {
        Self.overBatches(of: dataset) { trainStep(inputs: $0, labels: $1) }
    }

    /// Loss and accuracy on the batches of `dataset`, without training (the mean of batch
    /// losses, like `trainEpoch`).
    public func evaluate(_ dataset: Dataset) -> (meanLoss: Float, accuracy: Double) {
        Self.overBatches(of: dataset) { inputs, labels in
            let result = SoftmaxCrossEntropy.evaluate(logits: network.logits(inputs), labels: labels)
            return (result.loss, result.correct)
        }
    }

    /// Runs `body` on every batch in order; the mean of its losses and the fraction of examples it counted correct.
    private static func overBatches(of dataset: Dataset, _ body: (Matrix, [Int32]) -> (loss: Float, correct: Int))
        -> (meanLoss: Float, accuracy: Double) {
        let batches = dataset.batchCount
        guard batches > 0 else { return (0, 0) }
        var lossSum: Float = 0
        var correct = 0
        for index in 0..<batches {
            let batch = dataset.batch(index)
            let result = body(batch.inputs, batch.labels)
            lossSum += result.loss
            correct += result.correct
        }
        return (lossSum / Float(batches), Double(correct) / Double(batches * dataset.batchSize))
    }

    /// The network's logits for a batch of inputs (`batch × features`).
    public func logits(for inputs: Matrix) -> Matrix { network.logits(inputs) }

    /// (name, element count) of every trainable variable, in layer order.
    static func variables(of network: Network) -> [(name: String, count: Int)] {
        network.layers.flatMap { [($0.kernelName, $0.kernel.count), ($0.biasName, $0.bias.count)] }
    }
}

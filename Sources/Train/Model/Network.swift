/// A stack of dense layers; the last one yields logits.
public struct Network: Sendable, Equatable {
    public var layers: [DenseLayer]

    /// What a forward pass keeps for the backward pass: the batch and every layer's output
    /// (after its ReLU, if any). `outputs.last` are the logits.
    public struct Activations: Sendable, Equatable {
        public var input: Matrix
        public var outputs: [Matrix]
        public var logits: Matrix { outputs[outputs.count - 1] }
        /// The input of layer `index`.
        public func input(ofLayer index: Int) -> Matrix { index == 0 ? input : outputs[index - 1] }
    }

    public init(layers: [DenseLayer]) {
        precondition(!layers.isEmpty, "Network: no layers")
        for (a, b) in zip(layers, layers.dropFirst()) {
            precondition(a.spec.outputs == b.spec.inputs,
                         "Network: \(a.spec.name) has \(a.spec.outputs) outputs but \(b.spec.name) takes \(b.spec.inputs)")
        }
        self.layers = layers
    }

    public var specs: [LayerSpec] { layers.map(\.spec) }

    /// Runs the batch `x` (`batch × inputs of the first layer`) through every layer.
    public func forward(_ x: Matrix) -> Activations {
        var outputs: [Matrix] = []
        outputs.reserveCapacity(layers.count)
        var current = x
        for layer in layers {
            current = layer.forward(current)
            outputs.append(current)
        }
        return Activations(input: x, outputs: outputs)
    }

    /// The logits for a batch, without keeping activations.
    public func logits(_ x: Matrix) -> Matrix { forward(x).logits }

    /// Back-propagates d(loss)/d(logits) through the layers of `activations`' forward pass.
    /// Returns one gradient per layer, in layer order.
    public func backward(_ activations: Activations, logitsGradient: Matrix) -> [DenseGradient] {
        precondition(activations.outputs.count == layers.count, "Network.backward: activations are from another network")
        var gradients: [DenseGradient?] = Array(repeating: nil, count: layers.count)
        var upstream = logitsGradient
        for index in layers.indices.reversed() {
            let (gradient, inputGradient) = layers[index].backward(
                input: activations.input(ofLayer: index), output: activations.outputs[index],
                outputGradient: upstream, needInputGradient: index > 0)
            gradients[index] = gradient
            if let inputGradient { upstream = inputGradient }
        }
        return gradients.map { $0! }
    }
}

/// The shape of one dense layer, which both the trainer and the graph builder work from.
public struct LayerSpec: Hashable, Sendable {
    /// The variable scope, e.g. `hidden_layer_1`; variables are `NAME/kernel` and `NAME/bias`.
    public var name: String
    public var inputs: Int
    public var outputs: Int
    /// ReLU after the affine map; the output layer has none (it yields logits).
    public var relu: Bool

    public init(name: String, inputs: Int, outputs: Int, relu: Bool) {
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.relu = relu
    }

    /// The founding example's network, with the notebook's variable names (`hideen` sic).
    public static let seedNetwork: [LayerSpec] = [
        LayerSpec(name: "hidden_layer_1", inputs: 28, outputs: 64, relu: true),
        LayerSpec(name: "hideen_layer_2", inputs: 64, outputs: 64, relu: true),
        LayerSpec(name: "output_layer", inputs: 64, outputs: 5, relu: false),
    ]
}

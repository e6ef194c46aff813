import Foundation
import Registry

/// One variable of the dense network as the graphs and the bundle see it: the bundle key
/// (= the TF1 variable name), its dtype and shape.
public struct GraphVariable: Hashable, Sendable {
    /// What the variable is for, which decides how it is initialized and whether Adam updates it.
    public enum Role: Hashable, Sendable {
        /// A layer's kernel or bias (trainable, in both graphs).
        case weight
        /// An Adam slot (`/Adam`, `/Adam_1`) of a weight.
        case slot
        /// `beta1_power` / `beta2_power`.
        case betaPower(initial: Float)
        /// `global_step` (int64 scalar).
        case globalStep
    }

    public var name: String
    public var dtype: DType
    public var shape: [Int64]
    public var role: Role

    public var trainable: Bool { role == .weight }

    var protoType: Tensorflow_DataType { dtype.proto }

    /// Every variable of the {train} graph, in the order TF1 creates them (layer weights, then
    /// `global_step`, the beta powers and the Adam slots).
    static func all(layers: [LayerSpec]) -> [GraphVariable] {
        var variables = weights(layers: layers)
        variables.append(GraphVariable(name: "global_step", dtype: .int64, shape: [], role: .globalStep))
        variables.append(GraphVariable(name: "beta1_power", dtype: .float32, shape: [], role: .betaPower(initial: 0.9)))
        variables.append(GraphVariable(name: "beta2_power", dtype: .float32, shape: [], role: .betaPower(initial: 0.999)))
        for weight in weights(layers: layers) {
            for suffix in ["Adam", "Adam_1"] {
                variables.append(GraphVariable(name: weight.name + "/" + suffix, dtype: .float32, shape: weight.shape, role: .slot))
            }
        }
        return variables
    }

    /// The kernels and biases, layer by layer.
    static func weights(layers: [LayerSpec]) -> [GraphVariable] {
        layers.flatMap { layer in
            [GraphVariable(name: layer.name + "/kernel", dtype: .float32, shape: [Int64(layer.inputs), Int64(layer.outputs)], role: .weight),
             GraphVariable(name: layer.name + "/bias", dtype: .float32, shape: [Int64(layer.outputs)], role: .weight)]
        }
    }

    static func sorted(_ variables: [GraphVariable]) -> [GraphVariable] {
        variables.sorted { BytewiseOrder.precedes($0.name, $1.name) }
    }
}

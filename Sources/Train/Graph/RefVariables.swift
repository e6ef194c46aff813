import Foundation
import Registry

/// The TF1 ref variables of a graph as `tf.compat.v1.get_variable` and Adam create them
/// (`VariableV2`, its initializer's `Assign`, the `/read` Identity), remembered in creation
/// order for the `variables` collections and the `init` op.
struct RefVariables {
    /// Each variable with its encoded `VariableDef`, in creation order.
    private(set) var defs: [(variable: GraphVariable, def: Data)] = []
    /// The `NAME/Assign` ops that give each variable its initial value.
    private(set) var initializers: [String] = []

    /// Adds `variable`, initialized from the tensor `initialValue`; returns its `/read` tensor.
    @discardableResult
    mutating func add(_ variable: GraphVariable, initialValue: String, to nodes: inout GraphNodes) -> String {
        nodes.variableV2(variable.name, dtype: variable.protoType, shape: variable.shape)
        let assign = nodes.assign(variable.name + "/Assign", variable: variable.name, value: initialValue, dtype: variable.protoType)
        let read = nodes.identity(variable.name + "/read", variable.name, dtype: variable.protoType)
        initializers.append(assign)
        let def = VariableDefEncoder.encode(
            variableName: variable.name + ":0", initializerName: assign, snapshotName: read + ":0",
            initialValueName: initialValue + ":0", trainable: variable.trainable,
            aggregation: variable.role == .globalStep ? 3 : 0)  // VARIABLE_AGGREGATION_ONLY_FIRST_REPLICA
        defs.append((variable, def))
        return read
    }

    /// The `variables`, `trainable_variables` and `global_step` collections.
    var collections: [String: Tensorflow_CollectionDef] {
        [
            "variables": GraphCollections.bytes(defs.map(\.def)),
            "trainable_variables": GraphCollections.bytes(defs.filter { $0.variable.trainable }.map(\.def)),
            "global_step": GraphCollections.bytes(defs.filter { $0.variable.role == .globalStep }.map(\.def)),
        ]
    }
}

import Foundation
import Registry

/// One variable of the dense network as the graphs and the bundle see it: the bundle key
/// (= the TF1 variable name), its dtype and shape.
public struct GraphVariable: Hashable, Sendable {
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

/// Hand-encoded `tensorflow.VariableDef` (variable.proto; not in the registry's proto subset),
/// the payload of the `variables`/`trainable_variables`/`global_step` collections. Fields in
/// ascending number order, as TF writes them.
enum VariableDefEncoder {
    static func encode(variableName: String, initializerName: String, snapshotName: String,
                       initialValueName: String, trainable: Bool, aggregation: Int = 0) -> Data {
        var out: [UInt8] = []
        func string(_ field: UInt8, _ text: String) {
            let bytes = Array(text.utf8)
            guard !bytes.isEmpty else { return }
            out.append(field << 3 | 2)
            varint(UInt64(bytes.count))
            out += bytes
        }
        func varint(_ value: UInt64) {
            var value = value
            while value >= 0x80 {
                out.append(UInt8(value & 0x7f) | 0x80)
                value >>= 7
            }
            out.append(UInt8(value))
        }
        string(1, variableName)        // variable_name
        string(2, initializerName)     // initializer_name
        string(3, snapshotName)        // snapshot_name
        string(6, initialValueName)    // initial_value_name
        if trainable { out += [7 << 3, 1] }  // trainable
        if aggregation != 0 {                // aggregation (VariableAggregation)
            out.append(9 << 3)
            varint(UInt64(aggregation))
        }
        return Data(out)
    }
}

/// The non-sharded TF1 `Saver` (`Saver(sharded=False)`, spec §7.3/§7.4) over a set of ref variables.
enum SaverBuilder {
    /// Adds `SCOPE/Const`, `SCOPE/SaveV2`, `SCOPE/control_dependency`, `SCOPE/RestoreV2`,
    /// `SCOPE/Assign[_i]` and `SCOPE/restore_all`; `variables` are saved and restored in
    /// bytewise-sorted name order (the bundle's key order).
    static func add(to nodes: inout GraphNodes, variables: [GraphVariable], scope: String = "save") -> Tensorflow_SaverDef {
        let sorted = GraphVariable.sorted(variables)
        let names = sorted.map(\.name)
        let dtypes = sorted.map(\.protoType)
        let filename = nodes.const("\(scope)/Const", GraphConst.string("model"))

        let saveNames = nodes.const("\(scope)/SaveV2/tensor_names", GraphConst.strings(names))
        let saveSlices = nodes.const("\(scope)/SaveV2/shape_and_slices", GraphConst.strings(names.map { _ in "" }))
        let save = nodes.add("\(scope)/SaveV2", op: "SaveV2", inputs: [filename, saveNames, saveSlices] + names,
                             attrs: ["dtypes": GraphAttr.types(dtypes)])
        let saveTensor = nodes.identity("\(scope)/control_dependency", filename, dtype: .dtString, controlInputs: [save])

        let restoreNames = nodes.const("\(scope)/RestoreV2/tensor_names", GraphConst.strings(names))
        let restoreSlices = nodes.const("\(scope)/RestoreV2/shape_and_slices", GraphConst.strings(names.map { _ in "" }))
        let restore = nodes.add("\(scope)/RestoreV2", op: "RestoreV2", inputs: [filename, restoreNames, restoreSlices],
                                attrs: ["dtypes": GraphAttr.types(dtypes)])
        var assigns: [String] = []
        for (index, variable) in sorted.enumerated() {
            let name = index == 0 ? "\(scope)/Assign" : "\(scope)/Assign_\(index)"
            let value = index == 0 ? restore : "\(restore):\(index)"
            assigns.append(nodes.assign(name, variable: variable.name, value: value, dtype: variable.protoType))
        }
        let restoreAll = nodes.noOp("\(scope)/restore_all", controlInputs: assigns)

        var saver = Tensorflow_SaverDef()
        saver.filenameTensorName = filename + ":0"
        saver.saveTensorName = saveTensor + ":0"
        saver.restoreOpName = restoreAll
        saver.maxToKeep = 5
        saver.keepCheckpointEveryNHours = 10000
        saver.version = .v2
        return saver
    }
}

import Foundation

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

import Registry

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

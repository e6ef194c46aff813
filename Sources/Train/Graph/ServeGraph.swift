import Registry

extension GraphBuilder {
    /// {serve}: a float32 placeholder `x`, the forward pass over the weights alone (no optimizer
    /// state), `classes`, a Saver over the weights and the `serving_default` predict signature.
    static func serveGraph(layers: [LayerSpec]) -> Tensorflow_MetaGraphDef {
        var nodes = GraphNodes()
        let first = layers[0], last = layers[layers.count - 1]
        let inputShape: [Int64] = [-1, Int64(first.inputs)]
        let x = nodes.placeholder("x", dtype: .dtFloat, shape: inputShape)
        var current = x
        for layer in layers {
            let reads = GraphVariable.weights(layers: [layer]).map { variable in
                nodes.variableV2(variable.name, dtype: variable.protoType, shape: variable.shape)
                return nodes.identity(variable.name + "/read", variable.name, dtype: variable.protoType)
            }
            current = DenseLayerGraph.forward(&nodes, layer, input: current, kernel: reads[0], bias: reads[1])
        }
        let logits = current
        let classes = nodes.classes(logits: logits)
        let saver = SaverBuilder.add(to: &nodes, variables: GraphVariable.weights(layers: layers))

        var signature = Tensorflow_SignatureDef()
        signature.inputs = sorted(["x": tensorInfo(x, .dtFloat, inputShape)]).map { key, value in
            var entry = Tensorflow_SignatureDef.InputsEntry()
            entry.key = key
            entry.value = value
            return entry
        }
        signature.outputs = sorted([
            "logits": tensorInfo(logits, .dtFloat, [-1, Int64(last.outputs)]),
            "classes": tensorInfo(classes, .dtInt64, [-1]),
        ]).map { key, value in
            var entry = Tensorflow_SignatureDef.OutputsEntry()
            entry.key = key
            entry.value = value
            return entry
        }
        signature.methodName = "tensorflow/serving/predict"

        var meta = metaGraph(tag: "serve", nodes: nodes, saver: saver)
        var entry = Tensorflow_MetaGraphDef.SignatureDefEntry()
        entry.key = "serving_default"
        entry.value = signature
        meta.signatureDef = [entry]
        return meta
    }

    private static func tensorInfo(_ node: String, _ dtype: Tensorflow_DataType, _ shape: [Int64]) -> Tensorflow_TensorInfo {
        var info = Tensorflow_TensorInfo()
        info.name = node + ":0"
        info.dtype = dtype
        info.tensorShape = GraphShape.known(shape)
        return info
    }

    private static func sorted<Value>(_ map: [String: Value]) -> [(String, Value)] {
        map.keys.sorted(by: UpbKeyOrder.precedes).map { ($0, map[$0]!) }
    }
}

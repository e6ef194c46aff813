import Registry

extension GraphBuilder {
    /// {train}, in the order TF1 creates it for the founding notebook: placeholders
    /// `input_layer` and `labels`, the dense layers with their variables, the loss,
    /// `global_step`, the gradients, Adam and its train op `Adam`, `num_correct`, `classes`,
    /// `init` and the Saver; collections `fetches = [num_correct, Adam]`,
    /// `feed_dict = [input_layer, labels]`, `train_op`, `losses` and the variable lists.
    static func trainGraph(layers: [LayerSpec], optimizer: Adam) -> Tensorflow_MetaGraphDef {
        var nodes = GraphNodes()
        var variables = RefVariables()
        let inputs = nodes.placeholder("input_layer", dtype: .dtFloat, shape: [-1, Int64(layers[0].inputs)])
        let labels = nodes.placeholder("labels", dtype: .dtInt32, shape: [-1])

        let network = addLayers(&nodes, &variables, layers: layers, input: inputs)
        let loss = SoftmaxCrossEntropyGraph.add(to: &nodes, logits: network.logits, labels: labels, classes: layers[layers.count - 1].outputs)
        let step = GraphVariable.all(layers: layers).first { $0.role == .globalStep }!
        variables.add(step, initialValue: GraphInitializers.zeros(&nodes, step.name + "/Initializer/zeros", dtype: .dtInt64, shape: []), to: &nodes)
        let gradients = addGradients(&nodes, layers: layers, network: network, logitsGradient: loss.addGradient(to: &nodes))
        let trainOp = AdamGraph.add(&nodes, variables: &variables, layers: layers, gradients: gradients, optimizer: optimizer)
        let correct = numCorrect(&nodes, logits: network.logits, labels: labels)
        nodes.classes(logits: network.logits)
        nodes.noOp("init", controlInputs: variables.initializers)
        let saver = SaverBuilder.add(to: &nodes, variables: GraphVariable.all(layers: layers))

        var meta = metaGraph(tag: "train", nodes: nodes, saver: saver)
        meta.collectionDef = GraphCollections.entries(variables.collections.merging([
            "losses": GraphCollections.nodes([loss.value + ":0"]),
            "train_op": GraphCollections.nodes([trainOp]),
            "fetches": GraphCollections.nodes([correct + ":0", trainOp]),
            "feed_dict": GraphCollections.nodes([inputs + ":0", labels + ":0"]),
        ]) { $1 })
        return meta
    }

    /// The dense layers with their variables (Glorot-uniform kernels, zero biases), as
    /// `tf.layers.dense` makes them; what the gradients need of each layer, and the logits.
    private static func addLayers(_ nodes: inout GraphNodes, _ variables: inout RefVariables, layers: [LayerSpec],
                                  input: String) -> (inputs: [String], kernels: [String], logits: String) {
        var inputs: [String] = [], kernels: [String] = []
        var current = input
        for layer in layers {
            let weights = GraphVariable.weights(layers: [layer])
            let kernelInitial = GraphInitializers.glorotUniform(&nodes, weights[0].name, fanIn: layer.inputs, fanOut: layer.outputs)
            let kernel = variables.add(weights[0], initialValue: kernelInitial, to: &nodes)
            let biasInitial = GraphInitializers.zeros(&nodes, weights[1].name + "/Initializer/zeros", dtype: .dtFloat, shape: weights[1].shape)
            let bias = variables.add(weights[1], initialValue: biasInitial, to: &nodes)
            inputs.append(current)
            kernels.append(kernel)
            current = DenseLayerGraph.forward(&nodes, layer, input: current, kernel: kernel, bias: bias)
        }
        return (inputs, kernels, current)
    }

    /// Back through the layers, last first, from the logits' gradient; each weight's gradient by name.
    private static func addGradients(_ nodes: inout GraphNodes, layers: [LayerSpec],
                                     network: (inputs: [String], kernels: [String], logits: String), logitsGradient: String) -> [String: String] {
        var gradients: [String: String] = [:]
        var upstream = logitsGradient
        for (index, layer) in layers.enumerated().reversed() {
            let layerGradients = DenseLayerGraph.backward(&nodes, layer, input: network.inputs[index], kernel: network.kernels[index],
                                                          outputGradient: upstream)
            gradients[layer.name + "/kernel"] = layerGradients.kernel
            gradients[layer.name + "/bias"] = layerGradients.bias
            upstream = layerGradients.input
        }
        return gradients
    }

    /// `num_correct` = Sum(Cast<int32>(InTopKV2(logits, labels, k=1))), as in the founding notebook.
    private static func numCorrect(_ nodes: inout GraphNodes, logits: String, labels: String) -> String {
        let k = nodes.const("in_top_k/InTopKV2/k", GraphConst.int32(1))
        let inTopK = nodes.add("in_top_k/InTopKV2", op: "InTopKV2", inputs: [logits, labels, k], attrs: ["T": GraphAttr.type(.dtInt32)])
        let cast = nodes.add("Cast", op: "Cast", inputs: [inTopK], attrs: [
            "DstT": GraphAttr.type(.dtInt32), "SrcT": GraphAttr.type(.dtBool), "Truncate": GraphAttr.bool(false),
        ])
        let axes = nodes.const("Const", GraphConst.int32(0, shape: [1]))
        return nodes.sum("num_correct", cast, axes: axes, T: .dtInt32)
    }
}

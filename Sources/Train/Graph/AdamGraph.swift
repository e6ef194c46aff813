import Registry

/// What `tf.compat.v1.train.AdamOptimizer(lr).minimize(loss, global_step)` adds after the
/// gradients: `beta1_power`/`beta2_power` and each weight's `Adam`/`Adam_1` slots, one
/// `ApplyAdam` per weight, the beta powers multiplied by their betas once every update ran, and
/// the train op `Adam`, which increments `global_step` after all of that.
enum AdamGraph {
    /// The train op's name (what `train_op` and `fetches` hold).
    static let trainOp = "Adam"

    /// Adds the optimizer for the weights of `layers`, whose gradients are `gradients` (by
    /// variable name); returns the train op. `optimizer` gives the hyperparameters (its betas
    /// must be those `GraphVariable` starts the beta powers at, TF's defaults).
    static func add(_ nodes: inout GraphNodes, variables: inout RefVariables, layers: [LayerSpec],
                    gradients: [String: String], optimizer: Adam) -> String {
        addSlots(&nodes, variables: &variables, layers: layers)
        let learningRate = nodes.const("Adam/learning_rate", GraphConst.float(optimizer.learningRate))
        let beta1 = nodes.const("Adam/beta1", GraphConst.float(optimizer.beta1))
        let beta2 = nodes.const("Adam/beta2", GraphConst.float(optimizer.beta2))
        let epsilon = nodes.const("Adam/epsilon", GraphConst.float(optimizer.epsilon))
        let updates = GraphVariable.weights(layers: layers).map { weight in
            let slots = Adam.slotNames(of: weight.name)
            guard let gradient = gradients[weight.name] else { preconditionFailure("AdamGraph: no gradient for \(weight.name)") }
            return nodes.add("Adam/update_\(weight.name)/ApplyAdam", op: "ApplyAdam", inputs: [
                weight.name, slots.m, slots.v, Adam.beta1PowerName + "/read", Adam.beta2PowerName + "/read",
                learningRate, beta1, beta2, epsilon, gradient,
            ], attrs: ["T": GraphAttr.type(.dtFloat), "use_locking": GraphAttr.bool(false), "use_nesterov": GraphAttr.bool(false)])
        }
        let finish = [(Adam.beta1PowerName, beta1, ""), (Adam.beta2PowerName, beta2, "_1")].map { power, beta, suffix in
            let product = nodes.op("Adam/mul" + suffix, "Mul", [power + "/read", beta], controlInputs: updates)
            return nodes.add("Adam/Assign" + suffix, op: "Assign", inputs: [power, product], attrs: [
                "T": GraphAttr.type(.dtFloat), "use_locking": GraphAttr.bool(false), "validate_shape": GraphAttr.bool(true),
            ])
        }
        let update = nodes.noOp("Adam/update", controlInputs: updates + finish)
        let one = nodes.const("Adam/value", GraphConst.int64(1), controlInputs: [update])
        return nodes.add(trainOp, op: "AssignAdd", inputs: [TrainingState.globalStepName, one], attrs: [
            "T": GraphAttr.type(.dtInt64), "use_locking": GraphAttr.bool(false),
        ])
    }

    /// `beta1_power` and `beta2_power` (TF's "non-slot" variables), then `Adam` and `Adam_1` of
    /// every weight, zero-initialized.
    private static func addSlots(_ nodes: inout GraphNodes, variables: inout RefVariables, layers: [LayerSpec]) {
        for variable in GraphVariable.all(layers: layers) {
            switch variable.role {
            case .betaPower(let initial):
                variables.add(variable, initialValue: nodes.const(variable.name + "/initial_value", GraphConst.float(initial)), to: &nodes)
            case .slot:
                let zeros = GraphInitializers.zeros(&nodes, variable.name + "/Initializer/zeros", dtype: variable.protoType, shape: variable.shape)
                variables.add(variable, initialValue: zeros, to: &nodes)
            case .weight, .globalStep:
                continue
            }
        }
    }
}

import Testing
@testable import Train

@Suite struct AdamTests {
    /// Expected values from numpy float32 arithmetic in ApplyAdam's order:
    /// lr_t = lr·sqrt(1−β2^t)/(1−β1^t); m += (g−m)(1−β1); v += (g²−v)(1−β2); var −= m·lr_t/(sqrt(v)+ε).
    @Test func twoStepsMatchTensorFlowsFormulaBitForBit() {
        var adam = Adam(learningRate: 1e-4, variables: [(name: "w", count: 3)])
        #expect(adam.beta1Power == Float(0.9) && adam.beta2Power == Float(0.999))
        var w: [Float] = [1.0, -2.0, 0.5]

        #expect(adam.stepSize == Float(3.1622566893929616e-05))
        adam.apply(to: &w, gradient: [0.5, -0.1, 0.0], name: "w")
        adam.finishStep()
        #expect(w.map(\.bitPattern) == [0x3F7F_F972, 0xBFFF_FCB9, 0x3F00_0000])
        #expect(adam.slots["w"]?.m == [Float(0.050000011920928955), Float(-0.010000002570450306), 0])
        #expect(adam.slots["w"]?.v == [Float(0.00024999678134918213), Float(9.999871508625802e-06), 0])

        #expect(adam.stepSize == Float(2.3531434635515325e-05))
        adam.apply(to: &w, gradient: [0.25, 0.3, -1e-3], name: "w")
        adam.finishStep()
        #expect(w.map(\.bitPattern) == [0x3F7F_F356, 0xBFFF_FE58, 0x3F00_04E0])
        #expect(adam.slots["w"]?.m == [Float(0.07000001519918442), Float(0.021000005304813385), Float(-0.00010000002657761797)])
        #expect(adam.slots["w"]?.v == [Float(0.0003122459747828543), Float(9.998871973948553e-05), Float(9.999872041532853e-10)])

        #expect(adam.beta1Power == Float(0.7289999127388))
        #expect(adam.beta2Power == Float(0.9970030784606934))
    }

    @Test func firstStepMovesEachWeightByAboutTheLearningRate() {
        // With zero slots, m/sqrt(v) = sign(g)·(1−β1)/sqrt(1−β2) and lr_t undoes the bias.
        var adam = Adam(learningRate: 1e-3, variables: [(name: "w", count: 2)])
        var w: [Float] = [0, 0]
        adam.apply(to: &w, gradient: [3, -1e-3], name: "w")
        #expect(abs(w[0] + 1e-3) < 1e-6 && abs(w[1] - 1e-3) < 1e-6)
    }

    @Test func slotNamesAreTensorFlows() {
        #expect(Adam.slotNames(of: "hidden_layer_1/kernel") == (m: "hidden_layer_1/kernel/Adam", v: "hidden_layer_1/kernel/Adam_1"))
        #expect(Adam.beta1PowerName == "beta1_power" && Adam.beta2PowerName == "beta2_power")
    }

    /// The fixture's beta powers after 250 steps equal 250 sequential float32 products,
    /// bit for bit: TF's `_finish` multiplies exactly as `finishStep()` does.
    @Test func betaPowersMatchTheFixtureAfter250Steps() throws {
        var adam = Adam(learningRate: 1e-4)
        for _ in 0..<250 { adam.finishStep() }
        let tensors = try TrainFixtures.tensors()
        #expect(tensors["beta1_power"]?.floats == [adam.beta1Power])
        #expect(tensors["beta2_power"]?.floats == [adam.beta2Power])
        #expect(adam.beta1Power.bitPattern == 0x2C66_4663)
    }
}

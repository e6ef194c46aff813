import Registry
@testable import RegistryFormat
import Testing
@testable import Train

@Suite struct TrainerTests {
    static let fixtureNames: Set<String> = {
        var names: Set<String> = ["beta1_power", "beta2_power", "global_step"]
        for layer in ["hidden_layer_1", "hideen_layer_2", "output_layer"] {
            for variable in ["kernel", "bias"] {
                for suffix in ["", "/Adam", "/Adam_1"] { names.insert("\(layer)/\(variable)\(suffix)") }
            }
        }
        return names
    }()

    @Test func freshStateIsSeededGlorotUniform() {
        let state = TrainingState(seed: 20180401)
        #expect(state.globalStep == 0)
        #expect(state.optimizer.beta1Power == Float(0.9) && state.optimizer.beta2Power == Float(0.999))
        #expect(state.optimizer.learningRate == Float(1e-4))
        for layer in state.network.layers {
            let limit = Float((6.0 / Double(layer.spec.inputs + layer.spec.outputs)).squareRoot())
            #expect(layer.kernel.values.allSatisfy { abs($0) <= limit })
            // Uniform on (−l, l): the extremes come close to the limit and the mean is near 0.
            #expect(layer.kernel.values.map(abs).max()! > 0.9 * limit)
            let mean = layer.kernel.values.reduce(0, +) / Float(layer.kernel.count)
            #expect(abs(mean) < 0.2 * limit)
            #expect(layer.bias.allSatisfy { $0 == 0 })
        }
        #expect(state.optimizer.slots.values.allSatisfy { slot in slot.m.allSatisfy { $0 == 0 } && slot.v.allSatisfy { $0 == 0 } })
    }

    @Test func sameSeedSameBytes() {
        #expect(tensorBytes(TrainingState(seed: 7)) == tensorBytes(TrainingState(seed: 7)))
        #expect(tensorBytes(TrainingState(seed: 7)) != tensorBytes(TrainingState(seed: 8)))
    }

    @Test func tensorsHaveTheFixturesNamesShapesAndDTypes() throws {
        let ours = TrainingState(seed: 1).tensors()
        #expect(Set(ours.map(\.name)) == Self.fixtureNames)
        #expect(ours.map(\.name) == ours.map(\.name).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        let fixture = try TrainFixtures.tensors()
        for tensor in ours {
            let theirs = try #require(fixture[tensor.name], "\(tensor.name) not in the fixture")
            #expect(tensor.dtype == theirs.dtype && tensor.shape == theirs.shape, "\(tensor.name)")
            #expect(tensor.bytes.count == theirs.bytes.count, "\(tensor.name)")
        }
        #expect(ours.first { $0.name == "global_step" }?.dtype == .int64)
    }

    @Test func loadsTheFixtureState() throws {
        let fixture = try TrainFixtures.tensors()
        let state = try TrainingState(tensors: fixture, layers: LayerSpec.seedNetwork)
        #expect(state.globalStep == 250)
        // Every tensor comes back byte for byte.
        for tensor in state.tensors() { #expect(fixture[tensor.name] == tensor, "\(tensor.name)") }
        // And the trained network is in the state the fixture recorded: about 22 % right.
        let evaluation = state.evaluate(try TrainFixtures.dataset())
        #expect(evaluation.accuracy > 0.15 && evaluation.accuracy < 0.3)
        #expect(evaluation.meanLoss > 1.55 && evaluation.meanLoss < 1.7)
        #expect(state.logits(for: try TrainFixtures.dataset().batch(0).inputs).values.allSatisfy { $0.isFinite })
    }

    @Test func rejectsIncompleteOrMisshapenTensors() {
        var tensors = Dictionary(uniqueKeysWithValues: TrainingState(seed: 1).tensors().map { ($0.name, $0) })
        tensors["output_layer/bias/Adam_1"] = nil
        #expect(throws: TrainingStateError.missing(name: "output_layer/bias/Adam_1")) {
            try TrainingState(tensors: tensors, layers: LayerSpec.seedNetwork)
        }
        tensors = Dictionary(uniqueKeysWithValues: TrainingState(seed: 1).tensors().map { ($0.name, $0) })
        tensors["output_layer/bias"] = NamedTensor(name: "output_layer/bias", floats: [1, 2, 3], shape: [3])
        #expect(throws: TrainingStateError.wrongShape(name: "output_layer/bias", expected: [5], found: [3])) {
            try TrainingState(tensors: tensors, layers: LayerSpec.seedNetwork)
        }
        tensors = Dictionary(uniqueKeysWithValues: TrainingState(seed: 1).tensors().map { ($0.name, $0) })
        tensors["global_step"] = NamedTensor(name: "global_step", floats: [1], shape: [])
        #expect(throws: TrainingStateError.wrongDType(name: "global_step", expected: .int64, found: .float32)) {
            try TrainingState(tensors: tensors, layers: LayerSpec.seedNetwork)
        }
    }

    /// Training in one go and training with a save/load round trip in the middle give the
    /// same bytes (the notebook's 100 + 100 epochs, scaled down to keep debug builds fast;
    /// the property does not depend on the count).
    @Test func resumingThroughTensorsIsBitExact() throws {
        let data = Dataset(seed: 1234)
        let half = 3
        var straight = TrainingState(seed: 20180401)
        var straightCurve: [Float] = []
        for _ in 0..<(2 * half) { straightCurve.append(straight.trainEpoch(data).meanLoss) }

        var first = TrainingState(seed: 20180401)
        var resumedCurve: [Float] = []
        for _ in 0..<half { resumedCurve.append(first.trainEpoch(data).meanLoss) }
        let saved = first.tensors()
        var second = try TrainingState(tensors: saved, layers: LayerSpec.seedNetwork)
        #expect(second == first)
        for _ in 0..<half { resumedCurve.append(second.trainEpoch(data).meanLoss) }

        #expect(second.globalStep == Int64(2 * half * 50))
        #expect(resumedCurve.map(\.bitPattern) == straightCurve.map(\.bitPattern))
        #expect(tensorBytes(second) == tensorBytes(straight))
        #expect(second.tensors() == straight.tensors())
    }

    /// "Can a neural network fit random data?": from the notebook's data (seed 1234), the
    /// accuracy starts near chance (20 %) and climbs as the network memorises the labels.
    @Test func accuracyClimbsOnRandomData() {
        let data = Dataset(seed: 1234)
        var state = TrainingState(seed: 20180401)
        var curve: [(meanLoss: Float, accuracy: Double)] = []
        for _ in 0..<100 { curve.append(state.trainEpoch(data)) }
        let report = [0, 10, 25, 50, 75, 99].map { "epoch \($0): acc \(curve[$0].accuracy) loss \(curve[$0].meanLoss)" }
        print("accuracy curve (seed data 1234, init seed 20180401):\n  " + report.joined(separator: "\n  "))
        #expect(curve[0].accuracy >= 0.15 && curve[0].accuracy <= 0.25, "\(report)")
        #expect(curve[99].accuracy >= curve[0].accuracy + 0.05, "\(report)")
        #expect(curve[99].meanLoss < curve[0].meanLoss, "\(report)")
        #expect(state.globalStep == 5000)
    }
}

import Foundation
import Registry
import Testing
import TestSupport
@testable import Train

/// The other direction of `TensorFlowParityTests`: a run trained in Swift and pulled from the
/// registry trains on in TensorFlow with the founding notebook's own cell (`NotebookCell`),
/// through the SavedModel's {train} graph and through a checkpoint's `.meta`, and TensorFlow
/// and Swift continuing the same checkpoint on the same data stay together.
@Suite(.enabled(if: TensorFlowOracle.enabled))
struct TensorFlowContinuesSwiftTests {
    static let run = "swift"

    /// A registry holding run `swift`: two epochs in Swift from seed 20180401, saved at global
    /// steps 50 and 100. `body` gets the registry, a scratch folder and the run's latest state.
    func withSwiftRun<T>(_ label: String, _ body: (ModelRegistry, String, TrainingState) throws -> T) throws -> T {
        let tmp = try TemporaryDirectory(label: "tf-continues-\(label)")
        defer { tmp.cleanup() }
        let registry = try ModelRegistry(path: tmp.path + "/registry.db")
        var configuration = TrainingSession.Configuration(run: Self.run)
        configuration.epochs = 2
        configuration.saveEverySteps = 50
        let session = try TrainingSession(registry: registry, configuration: configuration, start: .fresh(seed: 20180401))
        try session.run()
        #expect(try registry.history(model: Self.run).map(\.globalStep) == [50, 100])
        return try body(registry, tmp.path, session.state)
    }

    /// The notebook's loading cell on the pulled SavedModel: 100 epochs, and the accuracy it
    /// prints rises as Swift's does when it trains on from the same state.
    @Test func notebookCellTrainsOnAPulledSwiftExport() throws {
        let python = try TensorFlowOracle.requirePython()
        try withSwiftRun("notebook") { registry, dir, state in
            let export = dir + "/export"
            _ = try registry.pull(VersionReference(model: Self.run), to: export)
            let tensorflow = try RunningProcess(python, ["-c", NotebookCell.script, "savedmodel", export, "100"])

            var swift = state
            let dataset = Dataset(seed: 1234)
            let swiftCorrect = (0..<100).map { _ in Int((swift.trainEpoch(dataset).accuracy * Double(dataset.count)).rounded()) }

            let result = try tensorflow.wait()
            try #require(result.status == 0, "the notebook's cell: \(result.summary)")
            let curve = NotebookCell.accuracies(result.out)
            try #require(curve.map(\.epoch) == Array(0..<100), "\(result.out.suffix(2000))")
            // The printed percentages (3 decimals) as examples right out of 1600 (0.0625 % each).
            let correct = curve.map { Int(($0.percent / 100 * Double(dataset.count)).rounded()) }
            func mean(_ values: ArraySlice<Int>) -> Double { Double(values.reduce(0, +)) / Double(values.count) }
            print("TensorFlowContinuesSwiftTests: the notebook's cell on Swift's export: epoch 0 \(curve[0].percent)%, "
                  + "epoch 99 \(curve[99].percent)%; Swift from the same state: \(swiftCorrect[0]) and \(swiftCorrect[99]) of 1600 right")
            // It learns: 80 more of the 1600 examples right at the end (5 points), and on average over the last ten epochs.
            #expect(correct[99] > correct[0] + 80)
            #expect(mean(correct.suffix(10)) > mean(correct.prefix(10)) + 80)
            // Epoch by epoch it is Swift's curve: equal while both compute the same bits, then a
            // few examples apart as rounding differences grow (5 at most when this was written).
            let apart = zip(correct, swiftCorrect).map { abs($0 - $1) }
            print("TensorFlowContinuesSwiftTests: the curves agree for \(apart.prefix { $0 == 0 }.count) epochs; "
                  + "at most \(apart.max() ?? 0) examples apart")
            #expect(apart[0] == 0, "the first epoch starts from the same variables")
            #expect(apart.allSatisfy { $0 <= 16 }, "TensorFlow and Swift right answers apart by \(apart)")
        }
    }

    /// 50 steps from the run's latest checkpoint (step 100) in TensorFlow (the notebook's cell on
    /// the SavedModel, and `import_meta_graph` + `restore` on the Saver folder) and in Swift.
    @Test func tensorFlowAndSwiftContinueTheSameCheckpointTogether() throws {
        let python = try TensorFlowOracle.requirePython()
        try withSwiftRun("fifty") { registry, dir, state in
            let export = dir + "/export", folder = dir + "/checkpoints"
            _ = try registry.pull(VersionReference(model: Self.run), to: export)
            _ = try registry.pullCheckpoints(run: Self.run, to: folder)
            // The checkpoint's .meta is the {train} meta graph the SavedModel holds.
            let meta = try #require(FileManager.default.contents(atPath: folder + "/model.ckpt-100.meta"))
            let train = try GraphBuilder.metaGraphs(layers: LayerSpec.seedNetwork)[0].serializedBytes() as [UInt8]
            #expect(Array(meta) == train)

            let legs = ["savedmodel": export, "checkpoint": folder]
            let processes = try legs.keys.sorted().map { mode in
                (mode, try RunningProcess(python, ["-c", NotebookCell.script, mode, legs[mode]!, "1", "\(dir)/\(mode).npz"]))
            }
            var swift = try TrainingState(tensors: try registry.loadTensors(VersionReference(model: Self.run)), layers: LayerSpec.seedNetwork)
            #expect(swift == state && swift.globalStep == 100)
            swift.trainEpoch(Dataset(seed: 1234))
            #expect(swift.globalStep == 150)

            for (mode, process) in processes {
                let result = try process.wait()
                try #require(result.status == 0, "\(mode): \(result.summary)")
                try Self.expectTogether(try NPZ.read(path: "\(dir)/\(mode).npz"), swift, leg: mode)
            }
        }
    }

    /// Every variable TensorFlow ended with against Swift's: floats within 1e-6, `global_step`
    /// equal, the beta powers bit for bit (both multiply by β in float32).
    static func expectTogether(_ tensorflow: [String: NPYArray], _ swift: TrainingState, leg: String,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ours = swift.tensors()
        #expect(Set(tensorflow.keys) == Set(ours.map(\.name)), "\(leg): TF variables \(tensorflow.keys.sorted())", sourceLocation: sourceLocation)
        var worst = (name: "", difference: 0.0)
        for tensor in ours {
            let array = try #require(tensorflow[tensor.name], "\(leg): \(tensor.name) not saved by TensorFlow", sourceLocation: sourceLocation)
            #expect(array.shape.map(Int64.init) == tensor.shape, "\(leg): \(tensor.name)", sourceLocation: sourceLocation)
            if tensor.dtype == .int64 {
                #expect(try array.int64s() == [swift.globalStep], "\(leg): \(tensor.name)", sourceLocation: sourceLocation)
                continue
            }
            let theirs = try array.floats(), mine = tensor.floats
            try #require(theirs.count == mine.count, "\(leg): \(tensor.name)", sourceLocation: sourceLocation)
            let difference = zip(theirs, mine).map { abs(Double($0) - Double($1)) }.max() ?? 0
            #expect(difference <= 1e-6, "\(leg): \(tensor.name) max |TF - Swift| = \(difference)", sourceLocation: sourceLocation)
            if difference >= worst.difference { worst = (tensor.name, difference) }
            if tensor.name == Adam.beta1PowerName || tensor.name == Adam.beta2PowerName {
                #expect(theirs.map(\.bitPattern) == mine.map(\.bitPattern), "\(leg): \(tensor.name)", sourceLocation: sourceLocation)
            }
        }
        print("TensorFlowContinuesSwiftTests (\(leg)): 50 steps from Swift's step 100, max |TF - Swift| = \(worst.difference) (\(worst.name))")
    }
}

import Foundation
import Registry
@testable import RegistryFormat
import TestSupport
@testable import Train

/// The `seed_mlp_training` SavedModel of the TensorFlow-written corpus (`Fixtures`).
enum TrainFixtures {
    /// The `seed_mlp_training` SavedModel: the notebook trained 5 epochs (global step 250).
    static var seedTraining: String { Fixtures.path("seed_mlp_training") }
    static var seedTrainingData: String { seedTraining + "/assets.extra/training_data.npz" }
    static var seedTrainingVariables: String { seedTraining + "/variables/variables" }

    /// `training_data.npz`: inputs, labels, step_loss, epoch_accuracy.
    static func trainingData() throws -> [String: NPYArray] { try NPZ.read(path: seedTrainingData) }

    /// The notebook's data as the fixture stores it.
    static func dataset() throws -> Dataset {
        let npz = try trainingData()
        guard let inputs = npz["inputs"], let labels = npz["labels"], inputs.shape.count == 2 else {
            throw TestFailure("training_data.npz lacks inputs/labels")
        }
        return Dataset(inputs: try inputs.floats(), features: inputs.shape[1], labels: try labels.int32s())
    }

    /// Every tensor of the fixture's variables bundle, by key.
    static func tensors() throws -> [String: NamedTensor] {
        let reader = try BundleReader(prefix: seedTrainingVariables)
        var out: [String: NamedTensor] = [:]
        for entry in reader.index.entries where !entry.isSliceKey {
            guard let name = entry.name else { continue }
            out[name] = NamedTensor(name: name, dtype: entry.dtype, shape: entry.shape, bytes: try reader.read(entry))
        }
        return out
    }
}

/// The bytes of a state's tensors, by name (for bit-exact comparisons).
func tensorBytes(_ state: TrainingState) -> [String: [UInt8]] {
    Dictionary(uniqueKeysWithValues: state.tensors().map { ($0.name, $0.bytes) })
}

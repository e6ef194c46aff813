import Foundation
import Registry

/// The founding experiment run against the registry, the way a `tf.train.Saver` user runs it:
/// train for some epochs, save a checkpoint every N global steps (and at the end) with the
/// run's retention rules, and resume from the latest checkpoint later. All storage goes
/// through `ModelRegistry`; nothing here touches the file system.
public final class TrainingSession {
    public enum Start: Sendable {
        /// New weights from a seed.
        case fresh(seed: UInt32)
        /// The run's latest checkpoint.
        case resume
        /// Another version's variables (a TensorFlow-trained SavedModel, another run).
        case from(VersionReference)
    }

    public struct Configuration: Sendable {
        public var run: String
        public var epochs = 200
        /// Save when the global step is a multiple of this (nil: only at the end).
        public var saveEverySteps: Int64? = 1000
        public var retention = RetentionPolicy()
        public var layers = LayerSpec.seedNetwork
        /// The notebook's data: `np.random.RandomState(dataSeed)`.
        public var dataSeed: UInt32 = 1234

        public init(run: String) { self.run = run }
    }

    public struct EpochReport: Sendable {
        public var epoch: Int
        public var step: Int64
        public var loss: Float
        public var accuracy: Double
    }

    public enum SessionError: Error, CustomStringConvertible {
        case runExists(String)
        case nothingToResume(String)
        case incompatible(String, TrainingStateError)

        public var description: String {
            switch self {
            case .runExists(let run):
                return "run '\(run)' already has checkpoints; pass --resume to continue it, or choose another name"
            case .nothingToResume(let run):
                return "run '\(run)' has no checkpoint to resume; start it without --resume"
            case let .incompatible(source, error):
                return "\(source) does not hold the network's variables: \(error)"
            }
        }
    }

    public let registry: ModelRegistry
    public let configuration: Configuration
    public private(set) var state: TrainingState
    public let dataset: Dataset
    private let metaGraphs: [Tensorflow_MetaGraphDef]
    /// Epochs trained since the last save, stored with the next checkpoint.
    private var pendingCurve: [MetricPoint] = []

    public init(registry: ModelRegistry, configuration: Configuration, start: Start) throws {
        try BLAS.load()
        try registry.checkTrainingRun(configuration.run)
        self.registry = registry
        self.configuration = configuration
        let existing = (try? registry.history(model: configuration.run)) ?? []
        switch start {
        case .fresh(let seed):
            guard existing.isEmpty else { throw SessionError.runExists(configuration.run) }
            state = TrainingState(seed: seed, layers: configuration.layers)
        case .resume:
            guard !existing.isEmpty else { throw SessionError.nothingToResume(configuration.run) }
            state = try Self.load(registry, VersionReference(model: configuration.run), layers: configuration.layers)
        case .from(let reference):
            guard existing.isEmpty else { throw SessionError.runExists(configuration.run) }
            state = try Self.load(registry, reference, layers: configuration.layers)
        }
        dataset = Dataset(seed: configuration.dataSeed, features: configuration.layers.first?.inputs ?? 28,
                          classes: configuration.layers.last?.outputs ?? 5)
        metaGraphs = GraphBuilder.metaGraphs(layers: configuration.layers, learningRate: state.optimizer.learningRate)
    }

    static func load(_ registry: ModelRegistry, _ reference: VersionReference, layers: [LayerSpec]) throws -> TrainingState {
        let tensors = try registry.loadTensors(reference)
        do {
            return try TrainingState(tensors: tensors, layers: layers)
        } catch {
            throw SessionError.incompatible(reference.description, error)
        }
    }

    /// The epoch the next call to `trainEpoch` runs (global step / batches per epoch).
    public var nextEpoch: Int { Int(state.globalStep) / max(1, dataset.batchCount) }

    /// Trains `configuration.epochs` epochs, saving as configured; calls back after each
    /// epoch and each save. Returns the last epoch's report.
    @discardableResult
    public func run(now: @escaping @Sendable () -> Date = Date.init,
                    onEpoch: (EpochReport) -> Void = { _ in },
                    onSave: (CheckpointSaveResult) -> Void = { _ in }) throws -> EpochReport? {
        try registry.beginTrainingSession(run: configuration.run, policy: configuration.retention, now: now())
        var last: EpochReport?
        var savedStep: Int64 = -1
        for _ in 0..<configuration.epochs {
            let epoch = nextEpoch
            let stepBefore = state.globalStep
            let (loss, accuracy) = state.trainEpoch(dataset)
            let report = EpochReport(epoch: epoch, step: state.globalStep, loss: loss, accuracy: accuracy)
            pendingCurve.append(MetricPoint(step: report.step, epoch: Int64(epoch), loss: Double(loss), accuracy: accuracy))
            last = report
            onEpoch(report)
            if let every = configuration.saveEverySteps, every > 0, state.globalStep / every > stepBefore / every {
                onSave(try save(report, now: now()))
                savedStep = state.globalStep
            }
        }
        if let last, savedStep != state.globalStep {
            onSave(try save(last, now: now()))
        }
        return last
    }

    /// Saves the current state as a checkpoint of the run, numbered by its global step.
    public func save(_ report: EpochReport, now: Date = Date()) throws -> CheckpointSaveResult {
        let result = try registry.saveCheckpoint(
            run: configuration.run, step: state.globalStep, tensors: state.tensors(), metaGraphs: metaGraphs,
            metrics: ["loss": Double(report.loss), "accuracy": report.accuracy, "epoch": Double(report.epoch)],
            curve: pendingCurve, now: now)
        pendingCurve.removeAll()
        return result
    }
}

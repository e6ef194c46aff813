import RegistryFormat

/// What `history --plot` and the web app's curve draw: a run's per-epoch curve and its
/// versions' steps and metrics, each evenly thinned to a bound when asked (a plot a few hundred
/// pixels wide shows no more).
public struct TrainingCurve: Codable, Sendable, Equatable {
    /// One version with a global step: where its checkpoint sits on the curve.
    public struct Checkpoint: Codable, Sendable, Equatable {
        public var version: Int64
        public var step: Int64
        public var loss: Double?
        public var accuracy: Double?
    }

    /// The per-epoch curve `registry train` recorded, by step (empty for other models).
    public var epochs: [MetricPoint]
    /// The versions that have a global step, by step.
    public var checkpoints: [Checkpoint]
    /// How many epochs and checkpoints there are in all (more than above when thinned).
    public var epochCount: Int
    public var checkpointCount: Int
}

import RegistryFormat

/// What `history --plot` and the web app's curve draw: a run's per-epoch curve, its series and
/// its versions' steps and metrics, each evenly thinned to a bound when asked (a plot a few
/// hundred pixels wide shows no more).
public struct TrainingCurve: Codable, Sendable, Equatable {
    /// One version with a global step: where its checkpoint sits on the curve.
    public struct Checkpoint: Codable, Sendable, Equatable {
        public var version: Int64
        public var step: Int64
        /// The version's metrics (`loss`, `accuracy`, those pushed with `--metric` or read from
        /// event files); empty when it has none.
        public var metrics: [String: Double]
    }

    /// The per-epoch curve `registry train` recorded, by step (empty for other models).
    public var epochs: [MetricPoint]
    /// The versions that have a global step, by step.
    public var checkpoints: [Checkpoint]
    /// The model's series (metrics pushed with a step, TensorBoard scalars), by name, each by step.
    public var series: [MetricSeries]
    /// How many epochs, checkpoints and series points (all series together) there are in all
    /// (more than above when thinned).
    public var epochCount: Int
    public var checkpointCount: Int
    public var seriesPointCount: Int
}

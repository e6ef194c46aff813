import RegistryFormat
/// `tf.train.Saver`'s retention rules, applied to a training run's checkpoint versions.
public struct RetentionPolicy: Sendable, Equatable {
    /// Checkpoints kept in the sliding window; 0 keeps every one.
    public var maxToKeep: Int
    /// A checkpoint leaving the window is kept for good if it was saved after the next keep
    /// time, which then moves on by this many hours (TF's default 10,000 means never).
    public var keepEveryHours: Double

    public init(maxToKeep: Int = 5, keepEveryHours: Double = 10_000) {
        self.maxToKeep = maxToKeep
        self.keepEveryHours = keepEveryHours
    }
}

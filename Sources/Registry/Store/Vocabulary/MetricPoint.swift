import RegistryFormat
/// One point of a training run's curve: the metrics after an epoch, for `history --plot`.
public struct MetricPoint: Codable, Sendable, Equatable {
    public var step: Int64
    public var epoch: Int64
    public var loss: Double
    public var accuracy: Double

    public init(step: Int64, epoch: Int64, loss: Double, accuracy: Double) {
        self.step = step
        self.epoch = epoch
        self.loss = loss
        self.accuracy = accuracy
    }
}

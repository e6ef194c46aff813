/// One named metric of a run over global steps (`loss`, `validation/epoch_accuracy`), for
/// `history --plot` and the metrics of the checkpoints pushed beside it.
public struct MetricSeries: Codable, Sendable, Equatable {
    public struct Point: Codable, Sendable, Equatable {
        public var step: Int64
        public var value: Double

        public init(step: Int64, value: Double) {
            self.step = step
            self.value = value
        }
    }

    public var name: String
    /// By step, one value per step.
    public var points: [Point]

    public init(name: String, points: [Point]) {
        self.name = name
        self.points = points
    }

    /// The value at `step`, or the last one before it: what the run had logged when a
    /// checkpoint at `step` was saved. nil when nothing was logged by then.
    public func value(atOrBefore step: Int64) -> Double? {
        var low = 0, high = points.count
        while low < high {
            let mid = (low + high) / 2
            if points[mid].step <= step { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : points[low - 1].value
    }
}

/// Training examples in memory: one row of features per example and an integer label each,
/// cut into batches of consecutive rows (the same order every epoch, as the notebook does).
public struct Dataset: Sendable, Equatable {
    /// `examples × features`, row-major.
    public var inputs: Matrix
    /// One class index per example.
    public var labels: [Int32]
    public var batchSize: Int

    public init(inputs: Matrix, labels: [Int32], batchSize: Int = 32) {
        precondition(inputs.rows == labels.count, "Dataset: \(inputs.rows) input rows but \(labels.count) labels")
        precondition(batchSize > 0, "Dataset: batch size must be positive")
        self.inputs = inputs
        self.labels = labels
        self.batchSize = batchSize
    }

    /// From a flat row-major array of `labels.count × features` values.
    public init(inputs: [Float], features: Int, labels: [Int32], batchSize: Int = 32) {
        precondition(features > 0 && inputs.count == labels.count * features,
                     "Dataset: \(inputs.count) input values for \(labels.count) examples of \(features) features")
        self.init(inputs: Matrix(rows: labels.count, columns: features, values: inputs), labels: labels, batchSize: batchSize)
    }

    /// The founding notebook's data:
    ///
    ///     rng = np.random.RandomState(seed)
    ///     inputs = rng.random_sample((batches * batch_size, features)).astype(np.float32)
    ///     labels = rng.randint(0, classes, size=batches * batch_size).astype(np.int32)
    ///
    /// With seed 1234 and the defaults this is `seed_mlp_training`'s `training_data.npz`.
    public init(seed: UInt32, features: Int = 28, classes: Int = 5, batchSize: Int = 32, batches: Int = 50) {
        precondition(features > 0 && classes > 0 && batches >= 0, "Dataset: bad notebook configuration")
        var rng = RandomState(seed: seed)
        let examples = batchSize * batches
        let inputs = (0..<(examples * features)).map { _ in Float(rng.randomSample()) }
        let labels = (0..<examples).map { _ in Int32(rng.randint(0, Int64(classes))) }
        self.init(inputs: Matrix(rows: examples, columns: features, values: inputs), labels: labels, batchSize: batchSize)
    }

    public var count: Int { labels.count }
    public var features: Int { inputs.columns }

    /// Full batches only (the notebook's 1600 rows make 50 batches of 32).
    public var batchCount: Int { labels.count / batchSize }

    /// Batch `index`: rows `index · batchSize ..< (index + 1) · batchSize`.
    public func batch(_ index: Int) -> (inputs: Matrix, labels: [Int32]) {
        precondition(index >= 0 && index < batchCount, "Dataset: batch \(index) outside 0..<\(batchCount)")
        let range = (index * batchSize)..<((index + 1) * batchSize)
        return (inputs.rows(range), Array(labels[range]))
    }
}

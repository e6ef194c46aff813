import Foundation
import GRDB

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

/// One point of a training run's curve: the metrics after an epoch.
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

/// What a checkpoint save did.
public struct CheckpointSaveResult: Sendable, Equatable {
    public var version: Int64
    public var step: Int64
    /// Version numbers deleted by retention, and those kept for good.
    public var deleted: [Int64]
    public var preserved: [Int64]
    public var statistics: StoreStatistics
}

extension ModelRegistry {
    /// Starts a training session on `run` the way constructing a `tf.train.Saver` does: the
    /// next keep time is now + keepEveryHours.
    public func beginTrainingSession(run: String, policy: RetentionPolicy, now: Date = Date()) throws {
        try VersionReference.validate(modelName: run)
        try write { db in
            let modelID = try Self.modelID(named: run, create: true, db: db)!
            try db.execute(sql: """
                INSERT INTO runs (model_id, max_to_keep, keep_every_hours, next_keep_time) VALUES (?, ?, ?, ?)
                ON CONFLICT(model_id) DO UPDATE SET max_to_keep = excluded.max_to_keep,
                    keep_every_hours = excluded.keep_every_hours, next_keep_time = excluded.next_keep_time
                """, arguments: [modelID, policy.maxToKeep, policy.keepEveryHours, now.timeIntervalSince1970 + policy.keepEveryHours * 3600])
        }
    }

    /// Saves tensors held in memory as the next checkpoint version of `run`, numbered by
    /// `step`, then applies the run's retention (as `Saver.save` does): if more than
    /// `maxToKeep` checkpoints are in the window, the oldest leaves it and is either kept for
    /// good or deleted. All in one transaction.
    /// `curve` holds the epochs trained since the previous save; they join the run's curve.
    public func saveCheckpoint(run: String, step: Int64, tensors: [NamedTensor], metaGraphs: [Tensorflow_MetaGraphDef],
                               metrics: [String: Double] = [:], curve: [MetricPoint] = [], now: Date = Date()) throws -> CheckpointSaveResult {
        var options = PushOptions()
        options.run = run
        options.globalStep = step
        options.metrics = metrics
        var deleted: [Int64] = [], preserved: [Int64] = []
        let sorted = tensors.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
        let result = try writeVersion(model: run, kind: "checkpoint", options: options, source: "registry train") { version, db, writer in
            version.createdAt = now.timeIntervalSince1970
            version.parentID = try Int64.fetchOne(db, sql: "SELECT id FROM versions WHERE model_id = ? ORDER BY number DESC LIMIT 1",
                                                  arguments: [version.modelID])
            version.bundlePrefix = SavedModelDirectory.variablesPrefix
            version.bundleHeader = Data(BundleHeader().encodedValue)
            try version.insert(db)
            let versionID = version.id!
            try SavedModelImporter.insertMetaGraphs(metaGraphs.map(MetaGraph.init(proto:)), versionID: versionID, db: db, writer: writer)
            var offset: Int64 = 0
            for tensor in sorted {
                let base = try TensorRecord.contentID(versionID: version.parentID, key: Array(tensor.name.utf8), db: db)
                let contentID = try writer.store(tensor.bytes, dtype: tensor.dtype, base: base)
                let entry = BundleEntry(key: Array(tensor.name.utf8), dtype: tensor.dtype, shape: tensor.shape, offset: offset,
                                        size: Int64(tensor.bytes.count), maskedCRC32C: CRC32C.mask(CRC32C.checksum(tensor.bytes)))
                try entry.validate(header: BundleHeader(), file: "\(run) step \(step)")
                var row = TensorRecord(versionID: versionID, entry: entry, contentID: contentID)
                try row.insert(db)
                offset += entry.size
            }
            try FileRecord(versionID: versionID, path: "variables", isFolder: true, size: 0, contentID: nil).insert(db)
            for point in curve {
                try db.execute(sql: "INSERT OR REPLACE INTO run_metrics (model_id, step, epoch, loss, accuracy) VALUES (?, ?, ?, ?, ?)",
                               arguments: [version.modelID, point.step, point.epoch, point.loss, point.accuracy])
            }
            (deleted, preserved) = try Self.applyRetention(modelID: version.modelID, db: db)
            return (tensors.count, 0)
        }
        return CheckpointSaveResult(version: result.version, step: step, deleted: deleted, preserved: preserved, statistics: result.statistics)
    }

    /// One step of `Saver._MaybeDeleteOldCheckpoints` over the run's window.
    static func applyRetention(modelID: Int64, db: Database) throws -> (deleted: [Int64], preserved: [Int64]) {
        guard let run = try Row.fetchOne(db, sql: "SELECT max_to_keep, keep_every_hours, next_keep_time FROM runs WHERE model_id = ?",
                                         arguments: [modelID]) else { return ([], []) }
        let maxToKeep: Int = run[0], hours: Double = run[1], nextKeep: Double = run[2]
        guard maxToKeep > 0 else { return ([], []) }
        let window = try VersionRecord.fetchAll(db, sql: """
            SELECT * FROM versions WHERE model_id = ? AND kind = 'checkpoint' AND preserved = 0 ORDER BY number
            """, arguments: [modelID])
        guard window.count > maxToKeep, let oldest = window.first else { return ([], []) }
        if oldest.createdAt > nextKeep {
            try db.execute(sql: "UPDATE versions SET preserved = 1 WHERE id = ?", arguments: [oldest.id!])
            try db.execute(sql: "UPDATE runs SET next_keep_time = next_keep_time + ? WHERE model_id = ?", arguments: [hours * 3600, modelID])
            return ([], [oldest.number])
        }
        try db.execute(sql: "UPDATE versions SET parent_id = ? WHERE parent_id = ?", arguments: [oldest.parentID, oldest.id!])
        try db.execute(sql: "DELETE FROM versions WHERE id = ?", arguments: [oldest.id!])
        return ([oldest.number], [])
    }

    /// The retention rules a run was last trained with, if it was trained here.
    public func retentionPolicy(run: String) throws -> RetentionPolicy? {
        try read { db in
            try Row.fetchOne(db, sql: """
                SELECT max_to_keep, keep_every_hours FROM runs WHERE model_id = (SELECT id FROM models WHERE name = ?)
                """, arguments: [run]).map { RetentionPolicy(maxToKeep: $0[0], keepEveryHours: $0[1]) }
        }
    }

    /// The run's per-epoch curve, by step (empty for models that were not trained here).
    public func curve(run: String) throws -> [MetricPoint] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT step, epoch, loss, accuracy FROM run_metrics WHERE model_id = (SELECT id FROM models WHERE name = ?) ORDER BY step
                """, arguments: [run]).map { MetricPoint(step: $0[0], epoch: $0[1], loss: $0[2], accuracy: $0[3]) }
        }
    }

    /// Every tensor of a version, by name, with partitioned tensors assembled (for training).
    public func loadTensors(_ reference: VersionReference) throws -> [String: NamedTensor] {
        try read { db in
            let version = try Self.resolve(reference, db: db)
            let reader = ContentReader(db: db)
            var tensors: [String: NamedTensor] = [:]
            let rows = try TensorRecord.filter(Column("version_id") == version.id!).fetchAll(db)
            for row in rows where row.contentID != nil && !(row.key.first == 0) {
                let entry = try row.entry()
                let bytes = try reader.read(row.contentID!)
                try BundleReader.verify(entry, payload: bytes, file: "\(reference) tensor \(row.name)")
                tensors[row.name] = NamedTensor(name: row.name, dtype: entry.dtype, shape: entry.shape, bytes: bytes)
            }
            return tensors
        }
    }
}

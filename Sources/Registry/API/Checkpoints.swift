import Foundation
import RegistryFormat
import RegistryRemote
import RegistryStore

/// What a checkpoint save did.
public struct CheckpointSaveResult: Sendable, Equatable {
    public var version: Int64
    public var step: Int64
    /// Version numbers deleted by retention, and those kept for good.
    public var deleted: [Int64]
    public var preserved: [Int64]
    public var statistics: StoreStatistics
    /// The checkpoint's digest (see `PushResult.digest`).
    public var digest: String
}

extension ModelRegistry {
    /// Starts a training session on `run` the way constructing a `tf.train.Saver` does: the
    /// next keep time is now + keepEveryHours.
    public func beginTrainingSession(run: String, policy: RetentionPolicy, now: Date = Date()) throws {
        try checkTrainingRun(run)
        try store.write { session in try session.beginRun(modelID: try session.modelID(named: run, create: true)!, policy: policy, now: now) }
    }

    /// Refuses a run name that is not a model of checkpoints: a bad name, or a model of
    /// SavedModels (a model keeps one kind), with advice for `registry train`.
    public func checkTrainingRun(_ run: String) throws {
        try VersionReference.validate(modelName: run)
        let kind = try store.read { session in try session.modelID(named: run).flatMap { try session.modelKind(modelID: $0) } }
        if kind == .savedModel {
            throw RegistryError.notATrainingRun(model: run, advice: "train a run of another name, e.g. `registry train \(run)-run --from \(run)`")
        }
    }

    /// Saves tensors held in memory as the next checkpoint version of `run`, numbered by
    /// `step`, then applies the run's retention (as `Saver.save` does): if more than
    /// `maxToKeep` checkpoints are in the window, the oldest leaves it and is either kept for
    /// good or deleted. All in one transaction.
    /// `curve` holds the epochs trained since the previous save; they join the run's curve.
    /// `parent` is the first checkpoint's parent (`train --from`); later ones have the previous.
    public func saveCheckpoint(run: String, step: Int64, tensors: [NamedTensor], metaGraphs: [Tensorflow_MetaGraphDef],
                               metrics: [String: Double] = [:], curve: [MetricPoint] = [], now: Date = Date(),
                               parent: VersionReference? = nil) throws -> CheckpointSaveResult {
        var new = NewVersion(model: run, kind: .checkpoint)
        new.source = "registry train"
        new.run = run
        new.globalStep = step
        new.metrics = metrics
        var deleted: [Int64] = [], preserved: [Int64] = []
        var digest = ""
        let provenance = Provenance.current(folder: nil)
        let sorted = tensors.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
        let created = try store.transaction { session in
            try Self.admit(.checkpoint, model: run, session: session)
            let total = tensors.reduce(Int64(0)) { $0 + Int64($1.bytes.count) }
            let created = try Self.createVersion(new, totalBytes: total, session: session) { version, writer in
                version.createdAt = now.timeIntervalSince1970
                version.parentID = try session.latestVersion(modelID: version.modelID)?.id ?? parent.map { try session.resolve($0).id! }
                provenance.apply(to: &version)
                version.bundlePrefix = SavedModelDirectory.variablesPrefix
                version.bundleHeader = Data(BundleHeader().encodedValue)
                try session.insert(&version)
                let versionID = version.id!
                // Before retention may delete the parent and re-link this version past it.
                try session.recordParentProvenance(versionID: versionID)
                try session.insertMetaGraphs(metaGraphs.map(MetaGraph.init(proto:)), versionID: versionID, writer: writer)
                var offset: Int64 = 0
                for tensor in sorted {
                    let base = try session.tensorContent(versionID: version.parentID, key: Array(tensor.name.utf8))
                    let contentID = try writer.store(tensor.bytes, dtype: tensor.dtype, base: base)
                    let entry = BundleEntry(key: Array(tensor.name.utf8), dtype: tensor.dtype, shape: tensor.shape, offset: offset,
                                            size: Int64(tensor.bytes.count), maskedCRC32C: CRC32C.mask(CRC32C.checksum(tensor.bytes)))
                    try entry.validate(header: BundleHeader(), file: "\(run) step \(step)")
                    try session.insertTensor(entry, versionID: versionID, contentID: contentID)
                    offset += entry.size
                }
                try session.insertFile(FileRecord(versionID: versionID, path: "variables", isFolder: true, size: 0, contentID: nil))
                try session.addCurve(curve, modelID: version.modelID)
                (deleted, preserved) = try session.applyRetention(modelID: version.modelID)
                return (tensors.count, 0)
            }
            digest = try Self.seal(created, session: session)
            return created
        }
        return CheckpointSaveResult(version: created.number, step: step, deleted: deleted, preserved: preserved,
                                    statistics: created.statistics, digest: digest)
    }

    /// The retention rules a run was last trained with, if it was trained here.
    public func retentionPolicy(run: String) throws -> RetentionPolicy? {
        try store.read { session in try session.modelID(named: run).flatMap { try session.retentionPolicy(modelID: $0) } }
    }

    /// Every tensor of a version, by name, with partitioned tensors assembled (for training).
    public func loadTensors(_ reference: VersionReference) throws -> [String: NamedTensor] {
        try store.read { session in
            let version = try session.resolve(reference)
            let reader = ContentReader(session)
            var tensors: [String: NamedTensor] = [:]
            for row in try session.tensors(versionID: version.id!) where row.contentID != nil && row.key.first != 0 {
                let entry = try row.bundleEntry()
                let bytes = try reader.read(row.contentID!)
                try entry.checkStored(bytes, what: "\(reference) tensor \(row.name)")
                tensors[row.name] = NamedTensor(name: row.name, dtype: entry.dtype, shape: entry.shape, bytes: bytes)
            }
            return tensors
        }
    }
}

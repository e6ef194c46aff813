import Foundation
import RegistryFormat
import RegistryInterchange
import RegistryRemote
import RegistryStore

extension ModelRegistry {
    /// Imports a folder of `tf.train.Saver` checkpoints, or one checkpoint by its prefix, as
    /// the next versions of `run`, in one transaction: one version per checkpoint, in the state
    /// file's order, each the parent of the next, the first the child of the run's latest
    /// version. `options.retention` (re)starts the run's Saver rules; after each version the
    /// run's rules are applied, as `Saver.save` does. `globalStep` and `metrics` describe one
    /// checkpoint, so a folder holding several refuses them.
    public func push(checkpointFolder path: String, run: String, options: PushOptions = PushOptions(),
                     progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> [PushResult] {
        try VersionReference.validate(modelName: run)
        try options.checkAliases(model: run)
        let importer = CheckpointImporter(folder: try CheckpointFolder.open(path))
        let provenance = Provenance.current(folder: Self.absolute(path))
        let checkpoints = importer.ordered
        if checkpoints.count > 1, options.globalStep != nil || options.metrics != nil {
            throw RegistryError.oneCheckpointOptions(folder: path, count: checkpoints.count)
        }
        let logged = try LoggedMetrics(options)
        let total = importer.totalBytes
        var done: Int64 = 0
        var versionOptions = options
        versionOptions.run = run
        let savedAt = options.savedAt ?? options.createdAt ?? Date()
        return try store.transaction { session in
            try Self.admit(.checkpoint, model: run, session: session)
            if let policy = options.retention {
                let modelID = try session.modelID(named: run, create: true)!
                try session.beginRun(modelID: modelID, policy: policy, now: options.retentionSince ?? savedAt)
            }
            var parent = try options.parent == nil ? session.modelID(named: run).flatMap { try session.latestVersion(modelID: $0)?.id } : nil
            var steps: [Int64?] = []
            // Each checkpoint is the delta base of the next: its chunks are read back from its files.
            let sources = RawChunkSources()
            let results = try checkpoints.map { checkpoint in
                let step = options.globalStep ?? checkpoint.step
                var new = versionOptions.newVersion(model: run, kind: .checkpoint, source: nil)
                new.metrics = logged.metrics(at: step)
                let version = try Self.createVersion(new, totalBytes: importer.bytes(of: checkpoint), session: session) { version, writer in
                    writer.progress = { bytes in done += bytes; progress?(done, total) }
                    writer.rawSources = sources
                    version.parentID = version.parentID ?? parent
                    version.createdAt = savedAt.timeIntervalSince1970
                    provenance.apply(to: &version)
                    let counts = try importer.run(checkpoint, version: &version, session: session, writer: writer)
                    parent = version.id
                    return counts
                }
                sources.nextVersion()
                var created = PushResult(version, tensorBytes: try session.tensorBytes(versionID: version.id),
                                         digest: try Self.seal(version, session: session))
                steps.append(step)
                try created.applyRetention(session: session, run: run)
                return created
            }
            try logged.record(session: session, model: run, steps: steps)
            return results
        }
    }

    /// Writes every checkpoint version of `run` as a `tf.train.Saver` folder (see
    /// `pullCheckpoints(_:to:force:)`).
    public func pullCheckpoints(run: String, to target: String, force: Bool = false) throws -> PullResult {
        try pullCheckpoints(VersionReference(model: run), to: target, force: force)
    }

    /// The run as it stood at `reference` (`NAME:N`, `NAME@ALIAS`): its kept checkpoints up to
    /// that version, with the state file pointing at it, so that `Saver.restore` and
    /// `tf.train.latest_checkpoint` resume from there. `NAME` alone is the whole run.
    public func pullCheckpoints(_ reference: VersionReference, to target: String, force: Bool = false) throws -> PullResult {
        let run = reference.model
        return try store.read { session in
            let modelID = try session.existingModelID(run)
            if try session.modelKind(modelID: modelID) == .savedModel {
                throw RegistryError.notATrainingRun(model: run, advice: "pull it without --checkpoint")
            }
            var last = Int64.max
            if reference.selector != .latest {
                let chosen = try session.resolve(reference)
                guard chosen.kind == .checkpoint, chosen.bundleHeader != nil else {
                    throw RegistryError.notACheckpoint(version: "\(run):\(chosen.number)")
                }
                last = chosen.number
            }
            let versions = try session.checkpoints(modelID: modelID, upTo: last)
            guard !versions.isEmpty else { throw ReferenceError.modelNotFound(run) }
            let bytes = try CheckpointExporter(session: session, versions: versions).export(to: target, force: force)
            let tensorBytes = try versions.reduce(Int64(0)) { $0 + (try session.tensorBytes(versionID: $1.id!)) }
            return PullResult(model: run, version: versions.last!.number, path: target, bytes: bytes, tensorBytes: tensorBytes, tagSets: [])
        }
    }
}

extension PushResult {
    /// Applies the run's retention after this version, as `Saver.save` does after each save
    /// (until the window fits: rules just made stricter may drop several), and records which
    /// versions it deleted and which it kept for good.
    mutating func applyRetention(session: StoreSession, run: String) throws {
        guard let modelID = try session.modelID(named: run) else { return }
        while true {
            let (deleted, preserved) = try session.applyRetention(modelID: modelID)
            if deleted.isEmpty && preserved.isEmpty { return }
            if !deleted.isEmpty { self.deleted = (self.deleted ?? []) + deleted }
            if !preserved.isEmpty { self.preserved = (self.preserved ?? []) + preserved }
        }
    }
}

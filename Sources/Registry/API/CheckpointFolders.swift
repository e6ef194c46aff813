import Foundation
import RegistryFormat
import RegistryInterchange
import RegistryRemote
import RegistryStore

extension ModelRegistry {
    /// Imports a folder of `tf.train.Saver` checkpoints as versions of `run`, in one transaction:
    /// one version per checkpoint, in the state file's order, each the parent of the next.
    public func push(checkpointFolder path: String, run: String, options: PushOptions = PushOptions(),
                     progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> [PushResult] {
        try VersionReference.validate(modelName: run)
        let importer = CheckpointImporter(folder: try CheckpointFolder.open(Self.absolute(path)))
        let provenance = Provenance.current(folder: Self.absolute(path))
        let total = importer.totalBytes
        var done: Int64 = 0
        var versionOptions = options
        versionOptions.run = run
        let new = versionOptions.newVersion(model: run, kind: .checkpoint, source: nil)
        return try store.transaction { session in
            var parent: Int64?
            return try importer.ordered.map { checkpoint in
                let created = try session.createVersion(new) { version, writer in
                    writer.progress = { bytes in done += bytes; progress?(done, total) }
                    version.parentID = version.parentID ?? parent
                    provenance.apply(to: &version)
                    let counts = try importer.run(checkpoint, version: &version, session: session, writer: writer)
                    parent = version.id
                    return counts
                }
                return PushResult(created, digest: try Self.seal(created, session: session))
            }
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
            return PullResult(model: run, version: versions.last!.number, path: target, bytes: bytes, tagSets: [])
        }
    }
}

import Foundation
import GRDB

/// Brings a `tf.train.Saver` folder into the store: one checkpoint version per remaining
/// checkpoint, in the order the `checkpoint` state file lists them (the latest last), each
/// with its global step from the prefix name, its bundle under its own prefix and its `.meta`.
struct CheckpointImporter {
    let folder: CheckpointFolder

    /// Checkpoints in push order: those the state file lists, in its order, with the one it
    /// names latest last; any others first, by step.
    var ordered: [Checkpoint] {
        guard let state = folder.state else { return folder.checkpoints }
        func base(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }
        var listed = state.allModelCheckpointPaths.map(base)
        let latest = base(state.modelCheckpointPath)
        listed.removeAll { $0 == latest }
        listed.append(latest)
        let byPrefix = Dictionary(uniqueKeysWithValues: folder.checkpoints.map { ($0.prefix, $0) })
        let unlisted = folder.checkpoints.filter { !listed.contains($0.prefix) }
        return unlisted + listed.compactMap { byPrefix[$0] }
    }

    var totalBytes: Int64 {
        folder.checkpoints.reduce(Int64(0)) { sum, checkpoint in sum + checkpoint.bundle.index.entries.reduce(Int64(0)) { $0 + $1.size } }
    }

    /// Fills one checkpoint's version (the caller has set model, number and options).
    func run(_ checkpoint: Checkpoint, version: inout VersionRecord, db: Database, writer: ContentWriter) throws {
        try RelativePath.validate(checkpoint.prefix, file: folder.path)
        version.globalStep = version.globalStep ?? checkpoint.step
        version.bundlePrefix = checkpoint.prefix
        version.bundleHeader = Data(checkpoint.bundle.index.header.encodedValue)
        version.source = folder.path + "/" + checkpoint.prefix
        try version.insert(db)
        try SavedModelImporter.insertTensors(checkpoint.bundle, versionID: version.id!, parentID: version.parentID, db: db, writer: writer)
        if let meta = checkpoint.metaGraph {
            let contentID = try writer.store(meta.bytes)
            try FileRecord(versionID: version.id!, path: checkpoint.prefix + ".meta", isFolder: false,
                           size: Int64(meta.bytes.count), contentID: contentID).insert(db)
        }
    }
}

extension ModelRegistry {
    /// Imports a folder of `tf.train.Saver` checkpoints as versions of `run`, in one transaction.
    public func push(checkpointFolder path: String, run: String, options: PushOptions = PushOptions(),
                     progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> [PushResult] {
        try VersionReference.validate(modelName: run)
        let importer = CheckpointImporter(folder: try CheckpointFolder.open(path))
        let total = importer.totalBytes
        var done: Int64 = 0
        return try inImmediateTransaction { db in
            var results: [PushResult] = []
            var parent: Int64?
            for checkpoint in importer.ordered {
                var versionOptions = options
                versionOptions.run = run
                let result = try insertVersion(db: db, model: run, kind: "checkpoint", options: versionOptions, source: nil) { version, db, writer in
                    writer.progress = { bytes in done += bytes; progress?(done, total) }
                    version.parentID = version.parentID ?? parent
                    try importer.run(checkpoint, version: &version, db: db, writer: writer)
                    parent = version.id
                    return (checkpoint.bundle.index.entries.count, checkpoint.metaGraph == nil ? 0 : 1)
                }
                results.append(result)
            }
            return results
        }
    }

    /// Writes every checkpoint version of `run` as a `tf.train.Saver` folder: each under
    /// `model.ckpt-STEP` (or the prefix it was pushed with) with its `.meta`, and a
    /// `checkpoint` state file that names the newest as latest, so that
    /// `tf.train.latest_checkpoint` finds it and `Saver.restore` restores it.
    public func pullCheckpoints(run: String, to target: String, force: Bool = false) throws -> PullResult {
        try pullCheckpoints(VersionReference(model: run), to: target, force: force)
    }

    /// The run as it stood at `reference` (`NAME:N`, `NAME@ALIAS`): its kept checkpoints up to
    /// that version, with the state file pointing at it, so that `Saver.restore` and
    /// `tf.train.latest_checkpoint` resume from there. `NAME` alone is the whole run.
    public func pullCheckpoints(_ reference: VersionReference, to target: String, force: Bool = false) throws -> PullResult {
        let run = reference.model
        return try read { db in
            guard let modelID = try Self.modelID(named: run, create: false, db: db) else { throw RegistryError.modelNotFound(run) }
            var last = Int64.max
            if reference.selector != .latest {
                let chosen = try Self.resolve(reference, db: db)
                guard chosen.kind == "checkpoint", chosen.bundleHeader != nil else { throw RegistryError.notACheckpoint(version: "\(run):\(chosen.number)") }
                last = chosen.number
            }
            let versions = try VersionRecord.fetchAll(db, sql: """
                SELECT * FROM versions WHERE model_id = ? AND kind = 'checkpoint' AND bundle_header IS NOT NULL AND number <= ?
                ORDER BY number
                """, arguments: [modelID, last])
            guard !versions.isEmpty else { throw RegistryError.modelNotFound(run) }
            var prefixes: [String] = []
            let bytes = try StagedFolder.write(to: target, force: force) { staging in
                try FileSystem.createDirectory(staging)
                var written: Int64 = 0
                for version in versions {
                    var prefix = version.bundlePrefix ?? ""
                    if prefix.isEmpty || prefix.contains("/") {
                        prefix = "model.ckpt-\(version.globalStep ?? version.number)"
                    }
                    guard !prefixes.contains(prefix) else { continue }
                    prefixes.append(prefix)
                    written += try FolderExporter(db: db, version: version).write(into: staging, layout: .checkpoint(prefix: prefix))
                }
                let state = CheckpointState(modelCheckpointPath: prefixes.last!, allModelCheckpointPaths: prefixes)
                let file = try WritableFile(path: staging + "/" + CheckpointState.fileName)
                try file.append(Array(state.text.utf8))
                try file.sync()
                try file.close()
                return written
            }
            return PullResult(model: run, version: versions.last!.number, path: target, bytes: bytes, tagSets: [])
        }
    }
}

import RegistryFormat
import RegistryStore

/// Writes checkpoint versions of a run as a `tf.train.Saver` folder, the mirror of
/// `CheckpointImporter`: each under `model.ckpt-STEP` (or the prefix it was pushed with) with
/// its `.meta`, and a `checkpoint` state file naming the last as latest, so that
/// `tf.train.latest_checkpoint` finds it and `Saver.restore` restores it.
package struct CheckpointExporter {
    let session: StoreSession
    let versions: [VersionRecord]

    /// `versions`: oldest first, every one a checkpoint with a bundle.
    package init(session: StoreSession, versions: [VersionRecord]) {
        precondition(!versions.isEmpty, "a Saver folder needs a checkpoint")
        self.session = session
        self.versions = versions
    }

    /// Writes into `target` through a staged folder; returns the bytes written.
    package func export(to target: String, force: Bool) throws -> Int64 {
        var prefixes: [String] = []
        return try StagedFolder.write(to: target, force: force) { staging in
            try FileSystem.createDirectory(staging)
            var written: Int64 = 0
            var timestamps: [Double] = []
            for version in versions {
                var prefix = version.bundlePrefix ?? ""
                if prefix.isEmpty || prefix.contains("/") {
                    prefix = "model.ckpt-\(version.globalStep ?? version.number)"
                }
                guard !prefixes.contains(prefix) else { continue }
                prefixes.append(prefix)
                if let time = version.checkpointTimestamp { timestamps.append(time) }
                written += try FolderExporter(session: session, version: version).write(into: staging, layout: .checkpoint(prefix: prefix))
            }
            // A CheckpointManager's times go back when every checkpoint written has one.
            let state = CheckpointState(modelCheckpointPath: prefixes.last!, allModelCheckpointPaths: prefixes,
                                        allModelCheckpointTimestamps: timestamps.count == prefixes.count ? timestamps : [],
                                        lastPreservedTimestamp: versions.last!.lastPreservedTimestamp ?? 0)
            try FileSystem.write(Array(state.text.utf8), to: staging + "/" + CheckpointState.fileName, sync: true)
            return written
        }
    }
}

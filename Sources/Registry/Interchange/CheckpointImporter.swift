import Foundation
import RegistryFormat
import RegistryStore

/// Brings a `tf.train.Saver` folder into the store: one checkpoint version per remaining
/// checkpoint, in the order the `checkpoint` state file lists them (the latest last), each
/// with its global step from the prefix name, its bundle under its own prefix and its `.meta`.
package struct CheckpointImporter {
    package let folder: CheckpointFolder

    package init(folder: CheckpointFolder) {
        self.folder = folder
    }

    /// Checkpoints in push order: those the state file lists, in its order, with the one it
    /// names latest last; any others first, by step. Each checkpoint once, however often the
    /// state file lists it.
    package var ordered: [Checkpoint] {
        guard let state = folder.state else { return folder.checkpoints }
        func base(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }
        let latest = base(state.modelCheckpointPath)
        var seen: Set<String> = [latest]
        var listed = state.allModelCheckpointPaths.map(base).filter { seen.insert($0).inserted }
        listed.append(latest)
        let byPrefix = Dictionary(uniqueKeysWithValues: folder.checkpoints.map { ($0.prefix, $0) })
        let unlisted = folder.checkpoints.filter { !listed.contains($0.prefix) }
        return unlisted + listed.compactMap { byPrefix[$0] }
    }

    /// Bytes the import will store (every tensor and `.meta`): what its statistics' raw bytes
    /// come to, for progress bars.
    package var totalBytes: Int64 {
        folder.checkpoints.reduce(Int64(0)) { $0 + bytes(of: $1) }
    }

    /// Bytes the import of one checkpoint will store.
    package func bytes(of checkpoint: Checkpoint) -> Int64 {
        checkpoint.bundle.index.entries.reduce(Int64(0)) { $0 + $1.size } + Int64(checkpoint.metaGraph?.bytes.count ?? 0)
    }

    /// Each checkpoint's time by prefix, from a CheckpointManager's state file (which lists
    /// `all_model_checkpoint_timestamps` in the order of `all_model_checkpoint_paths`).
    var timestamps: [String: Double] {
        guard let state = folder.state, state.allModelCheckpointTimestamps.count == state.allModelCheckpointPaths.count else { return [:] }
        var result: [String: Double] = [:]
        for (path, time) in zip(state.allModelCheckpointPaths, state.allModelCheckpointTimestamps) {
            result[path.split(separator: "/").last.map(String.init) ?? path] = time
        }
        return result
    }

    /// Fills one checkpoint's version (the caller has set model, number and options) and
    /// inserts it; returns how many tensors and files it recorded.
    package func run(_ checkpoint: Checkpoint, version: inout VersionRecord, session: StoreSession,
                     writer: ContentWriter) throws -> (tensors: Int, files: Int) {
        try RelativePath.validate(checkpoint.prefix, file: folder.path)
        version.globalStep = version.globalStep ?? checkpoint.step
        version.bundlePrefix = checkpoint.prefix
        version.bundleHeader = Data(checkpoint.bundle.index.header.encodedValue)
        version.source = folder.path + "/" + checkpoint.prefix
        version.checkpointTimestamp = timestamps[checkpoint.prefix]
        if let state = folder.state, !state.allModelCheckpointTimestamps.isEmpty || state.lastPreservedTimestamp != 0 {
            version.lastPreservedTimestamp = state.lastPreservedTimestamp
        }
        try session.insert(&version)
        try BundleImporter(bundle: checkpoint.bundle).run(versionID: version.id!, parentID: version.parentID, session: session, writer: writer)
        if let meta = checkpoint.metaGraph {
            let contentID = try writer.store(meta.bytes)
            try session.insertFile(FileRecord(versionID: version.id!, path: checkpoint.prefix + ".meta", isFolder: false,
                                              size: Int64(meta.bytes.count), contentID: contentID))
        }
        return (checkpoint.bundle.index.entries.count, checkpoint.metaGraph == nil ? 0 : 1)
    }
}

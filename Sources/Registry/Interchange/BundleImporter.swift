import RegistryFormat
import RegistryStore

/// Brings one tensor bundle (a SavedModel's `variables/`, a checkpoint's prefix) into the
/// store: a row per entry, each with its bytes streamed into chunks. Tensors of the parent
/// version with the same key are the bases of deltas.
struct BundleImporter {
    let bundle: BundleReader

    /// Each row is inserted once its content is recorded, in data-file order, while the
    /// writer's pipeline runs on through the next tensors.
    func run(versionID: Int64, parentID: Int64?, session: StoreSession, writer: ContentWriter) throws {
        // Data-file order, so that each shard is read front to back.
        let ordered = bundle.index.entries.sorted { ($0.shardID, $0.offset, $0.key.count) < ($1.shardID, $1.offset, $1.key.count) }
        for entry in ordered {
            guard entry.slices.isEmpty else {
                // The full entry of a partitioned tensor holds no bytes of its own.
                try writer.afterPending { try session.insertTensor(entry, versionID: versionID, contentID: nil) }
                continue
            }
            let base = try session.tensorContent(versionID: parentID, key: entry.key)
            if entry.dtype.elementSize != nil {
                // Fixed-size elements: the writer's workers read the shard themselves.
                let file = try bundle.dataFile(shard: entry.shardID)
                try writer.store(file: file, offset: entry.offset, count: entry.size, dtype: entry.dtype, base: base) { contentID, crc in
                    try BundleReader.check(entry, crc: crc, file: file.path)
                    try session.insertTensor(entry, versionID: versionID, contentID: contentID)
                }
            } else {
                try writer.begin(dtype: entry.dtype, base: base)
                try bundle.stream(entry, chunkSize: writer.chunkSize) { try writer.append($0) }
                try session.insertTensor(entry, versionID: versionID, contentID: try writer.finish())
            }
        }
        try writer.flush()
    }
}

import RegistryFormat

/// Where chunks imported earlier in this process can be read again, by address: a folder of
/// checkpoints is pushed in one transaction, each checkpoint the delta base of the next, and
/// reading a base chunk back from the file it came from costs one `pread` and one SHA-256
/// (the bytes must still hash to the base's address), where decoding it from the store costs
/// its whole chain: up to 8 stored chunks read on the SQLite thread, then decoded on a worker.
///
/// Holds the chunks of the version being written and of the one before (`nextVersion()`),
/// from at most `maxFiles` files each, since each file stays open while it is remembered (a
/// checkpoint of 65,536 shards would otherwise hold them all). Used on the SQLite thread only.
package final class RawChunkSources {
    /// Files remembered per version; a checkpoint's shards are usually 1–2.
    static let maxFiles = 16

    private var previous: [ContentHash: CommittedChunk] = [:]
    private var current: [ContentHash: CommittedChunk] = [:]
    private var files: Set<ObjectIdentifier> = []

    package init() {}

    /// Remembers a chunk read from a file (one handed over in memory is not kept).
    func remember(_ chunk: CommittedChunk) {
        guard case .file(let file, _, _, _) = chunk.bytes else { return }
        let id = ObjectIdentifier(file)
        guard files.contains(id) || files.count < Self.maxFiles else { return }
        files.insert(id)
        current[chunk.hash] = chunk
    }

    /// Where the chunk with this address can be read again, if it was imported from a file
    /// in this version or the one before.
    func source(of hash: ContentHash) -> CommittedChunk? {
        current[hash] ?? previous[hash]
    }

    /// The version being written is done: its chunks become the next one's possible bases,
    /// and those of the version before are forgotten (their files closed when unused).
    package func nextVersion() {
        previous = current
        current = [:]
        files = []
    }
}

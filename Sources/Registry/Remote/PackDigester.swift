import Crypto
import Foundation
import RegistryFormat
import RegistryStore

/// Hashes the packs a new version travels in while its chunks are committed, so that
/// recording its digest (`VersionDigest.record`) finds every pack in the `packs` table and
/// reads no chunk back: re-reading, decoding and hashing every byte after the import was a
/// quarter of a push's CPU (25.8 % of the samples of a 256 MiB push).
///
/// It cuts packs with the plan's own rule (`PackPlan.Cutter`) over the chunks in the order
/// they arrive, which is the plan's order (graph text, meta graphs, tensors, files) for every
/// import; where the order differs (a graph's unknown fields are stored first but travel in
/// the config), the packs it records are rows no version names and `record` hashes the real
/// ones from the store, as it did before: the digest never depends on this guess.
///
/// A pack's bytes start with its header, which lists every chunk of the pack, so a pack is
/// hashed once it ends, on a worker thread while the import goes on, from its chunks' bytes
/// read again from the files they came from (each checked against the crc32c of the first
/// read) or, for bytes handed over, kept until then. A pack whose chunks come from more than
/// `maxFiles` files or keep more than `maxHeldBytes` is left to `record`, and so is one whose
/// file changed under the push. A pack already in the table (a checkpoint's unchanged
/// tensors) is not hashed again.
package final class PackDigester {
    /// Raw bytes kept for a pack's handed-over chunks (a `registry train` save, meta graphs):
    /// twice the 8 MiB target, enough for 85 % of packs (P(pack > 16 MiB) = (7/8)^14).
    static let maxHeldBytes: Int64 = 16 << 20
    /// Files a pack's chunks may be read again from: each stays open until its pack is hashed
    /// (a bundle of 65,536 one-tensor shards would otherwise hold thousands open).
    static let maxFiles = 8
    /// Packs being hashed at once: the import's own pipeline keeps the cores busy, so more
    /// would only hold more files open.
    static let depth = 2

    /// A hashed pack, to be recorded on the session's thread.
    private struct Hashed: Sendable {
        var headerDigest: [UInt8]
        var digest: [UInt8]
        var size: Int64
        var header: [UInt8]
    }

    private let session: StoreSession
    private var cutter: PackPlan.Cutter
    private var seen: Set<ContentHash> = []
    private var planned: [PackPlan.Chunk] = []
    private var chunks: [CommittedChunk] = []
    private var heldBytes: Int64 = 0
    private var files: Set<ObjectIdentifier> = []
    private var abandoned = false
    private let hashing = OrderedPipeline<Hashed?>(depth: PackDigester.depth)

    /// A digester for a version of about `totalBytes` (the plan's target depends on the
    /// distinct bytes; any total up to 32 GiB gives the same 8 MiB).
    package init(session: StoreSession, totalBytes: Int64) {
        self.session = session
        cutter = PackPlan.Cutter(target: PackPlan.target(total: totalBytes))
    }

    /// Makes `writer` hand this digester every chunk it commits.
    package func watch(_ writer: ContentWriter) {
        writer.committed = { [unowned self] chunk in try self.add(chunk) }
    }

    /// Takes the next committed chunk; a chunk seen before in this version adds nothing.
    func add(_ chunk: CommittedChunk) throws {
        guard seen.insert(chunk.hash).inserted else { return }
        let plan = PackPlan.Chunk(hash: chunk.hash, size: chunk.count)
        planned.append(plan)
        if !abandoned { keep(chunk) }
        if cutter.endsPack(after: plan) { try endPack() }
    }

    /// Closes the last pack and records every pack hashed; call once the version's chunks
    /// are all committed.
    package func finish() throws {
        if !planned.isEmpty { try endPack() }
        while let hashed = hashing.next() { try record(hashed) }
    }

    /// Keeps what it takes to read `chunk` again, unless the pack holds too much already.
    private func keep(_ chunk: CommittedChunk) {
        switch chunk.bytes {
        case .held(let raw): heldBytes += Int64(raw.count)
        case .file(let file, _, _, _): files.insert(ObjectIdentifier(file))
        }
        chunks.append(chunk)
        if heldBytes > Self.maxHeldBytes || files.count > Self.maxFiles {
            abandoned = true
            chunks = []
        }
    }

    /// Hands the open pack to a worker (unless it is known or was abandoned) and starts the next.
    private func endPack() throws {
        defer {
            planned = []
            chunks = []
            heldBytes = 0
            files = []
            abandoned = false
            cutter = PackPlan.Cutter(target: cutter.target)
        }
        guard !abandoned else { return }
        let header = PackPlan.header(planned[...])
        let headerDigest = PackPlan.sha256(header)
        let size = Int64(header.count) + cutter.size
        if let known = try session.pack(headerDigest: headerDigest), known.size == size { return }
        let chunks = self.chunks
        hashing.submit {
            Self.hash(header: header, chunks: chunks).map { Hashed(headerDigest: headerDigest, digest: $0, size: size, header: header) }
        }
        while hashing.isFull, let hashed = hashing.next() { try record(hashed) }
    }

    /// The sha256 of a pack's bytes, nil when a chunk could not be read again as it was.
    private static func hash(header: [UInt8], chunks: [CommittedChunk]) -> [UInt8]? {
        var hasher = SHA256()
        hasher.update(data: header)
        var scratch: [UInt8] = []
        for chunk in chunks where !chunk.withRawBytes(scratch: &scratch, { hasher.update(bufferPointer: $0) }) { return nil }
        return Array(hasher.finalize())
    }

    private func record(_ hashed: Hashed?) throws {
        guard let hashed else { return }
        try session.insertPack(headerDigest: hashed.headerDigest, digest: hashed.digest, size: hashed.size, header: hashed.header)
    }
}

import Crypto
import Foundation
import RegistryFormat
import RegistryStore

/// How a version's chunks travel: grouped into packs, each one OCI layer. A pack is a header
/// (`TFRPACK1`, the chunk count, then each chunk's sha256 address and size) followed by the
/// chunks' raw bytes. The config names each pack's chunk count and the sha256 of its header,
/// so a puller trusts a header only once it hashes to that, and then each chunk only once it
/// hashes to its address: every byte is checked on arrival, whether a pack is fetched whole or
/// (resuming) from a byte range.
///
/// Boundaries depend on the chunks alone (content-defined), so two checkpoints of a run share
/// every pack their changed tensors do not touch: a pack ends after a chunk whose address,
/// read as a number, falls under its share of the target size, once the pack holds a quarter
/// of the target (never past four times it, nor 4,096 chunks). The target grows with the
/// version so that a manifest stays small: 8 MiB up to 32 GiB of distinct chunks (4,096 packs
/// expected), doubling with each doubling beyond. At most `(total / (target / 4)) + 1` packs
/// of ~160 bytes of manifest each: ≤ 2.6 MB for any size (1 TiB: target 256 MiB).
package enum PackPlan {
    static let magic = Array("TFRPACK1".utf8)
    /// Magic, then the count (UInt32 little-endian).
    static let headerPrefix = 12
    /// Per chunk: the address, then the size (UInt32 little-endian).
    static let entrySize = 36
    static let baseTarget: Int64 = 8 << 20
    /// Packs expected at most before the target doubles.
    static let expectedPacks: Int64 = 4096
    static let maxChunksPerPack = 4096

    /// A chunk in first-use order.
    struct Chunk: Sendable {
        var hash: ContentHash
        var size: Int
    }

    /// The target pack size for a version of `total` distinct bytes.
    static func target(total: Int64) -> Int64 {
        var target = baseTarget
        while total / target > expectedPacks { target *= 2 }
        return target
    }

    /// The packs of `chunks`, as ranges of their indices.
    static func boundaries(_ chunks: [Chunk]) -> [Range<Int>] {
        var cutter = Cutter(target: target(total: chunks.reduce(Int64(0)) { $0 + Int64($1.size) }))
        var ranges: [Range<Int>] = []
        var start = 0
        for (index, chunk) in chunks.enumerated() where cutter.endsPack(after: chunk) || index == chunks.count - 1 {
            ranges.append(start..<(index + 1))
            start = index + 1
            cutter = Cutter(target: cutter.target)
        }
        return ranges
    }

    /// The boundary rule, one chunk at a time: whether a pack ends after the chunk just added
    /// (the last chunk of a version ends its last pack whatever this says). `boundaries` and
    /// the push's `PackDigester` both cut with it, so they cannot disagree.
    struct Cutter {
        let target: Int64
        private(set) var size: Int64 = 0
        private(set) var count = 0

        init(target: Int64) {
            self.target = target
        }

        /// Adds `chunk` to the open pack; true when the pack ends after it (start a new cutter then).
        mutating func endsPack(after chunk: Chunk) -> Bool {
            size += Int64(chunk.size)
            count += 1
            return size >= 4 * target || count >= maxChunksPerPack
                || (size >= target / 4 && prefix(chunk.hash) < threshold(size: chunk.size, target: target))
        }
    }

    /// The first 8 bytes of an address as a number (uniform over UInt64).
    private static func prefix(_ hash: ContentHash) -> UInt64 {
        hash.bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// A chunk of `size` bytes ends a pack with probability size / target.
    private static func threshold(size: Int, target: Int64) -> UInt64 {
        let share = Double(size) / Double(target)
        return share >= 1 ? .max : UInt64(share * 18_446_744_073_709_551_615.0)
    }

    /// A pack's header.
    static func header(_ chunks: ArraySlice<Chunk>) -> [UInt8] {
        var bytes = magic
        bytes.reserveCapacity(headerPrefix + entrySize * chunks.count)
        ByteWriter.appendUInt32LE(UInt32(chunks.count), to: &bytes)
        for chunk in chunks {
            bytes += chunk.hash.bytes
            ByteWriter.appendUInt32LE(UInt32(chunk.size), to: &bytes)
        }
        return bytes
    }

    static func headerSize(count: Int) -> Int { headerPrefix + entrySize * count }

    /// The chunks a header lists, after checking its form against the count the config gives.
    static func parseHeader(_ bytes: [UInt8], count: Int, what: String) throws -> [Chunk] {
        guard bytes.count == headerSize(count: count), Array(bytes.prefix(8)) == magic else {
            throw RemoteError.notAVersion(what: what, detail: "a pack header is not TFRPACK1 with \(count) chunks")
        }
        func uint32(_ at: Int) -> UInt32 { bytes[at..<(at + 4)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
        guard uint32(8) == UInt32(count) else { throw RemoteError.notAVersion(what: what, detail: "a pack header's count is not \(count)") }
        return try (0..<count).map { index in
            let at = headerPrefix + index * entrySize
            let size = Int(uint32(at + 32))
            guard (1...ContentReader.maxRawSize).contains(size) else {
                throw RemoteError.notAVersion(what: what, detail: "a pack lists a chunk of \(size) bytes")
            }
            return Chunk(hash: ContentHash(bytes: Array(bytes[at..<(at + 32)])), size: size)
        }
    }

    static func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }
}

extension PackPlan {
    /// The manifest of a version of `totalBytes` in 1 MiB chunks (addresses as random as real
    /// ones: the sha256 of a counter): how many packs and how many bytes of manifest, with the
    /// annotations of a version. For `make bench` and the tests: a 1 TiB model need not exist.
    package static func estimateManifest(totalBytes: Int64) throws -> (packs: Int, bytes: Int) {
        let count = Int((totalBytes + Int64(ContentReader.maxRawSize) - 1) / Int64(ContentReader.maxRawSize))
        let chunks = (0..<count).map { index in
            Chunk(hash: ContentHash(bytes: sha256(withUnsafeBytes(of: UInt64(index).littleEndian) { Array($0) })),
                  size: index == count - 1 ? Int(totalBytes - Int64(count - 1) * Int64(ContentReader.maxRawSize)) : ContentReader.maxRawSize)
        }
        let ranges = boundaries(chunks)
        return (ranges.count, try manifestSize(chunks, ranges))
    }

    /// The size of the manifest naming `ranges` of `chunks` as packs.
    static func manifestSize(_ chunks: [Chunk], _ ranges: [Range<Int>]) throws -> Int {
        let layers = ranges.map { range in
            OCIDescriptor(mediaType: OCIMediaType.pack, digest: "sha256:" + String(repeating: "0", count: 64),
                          size: Int64(headerSize(count: range.count)) + chunks[range].reduce(Int64(0)) { $0 + Int64($1.size) })
        }
        let config = VersionConfig(model: "model", version: 1, kind: "saved_model", createdAt: 1.8e9, source: "/home/user/models/model",
                                   graph: .init(encoding: "binary", schemaVersion: 1), bundle: .init(), labels: [:],
                                   metaGraphs: [.init(position: 0, tagSet: "serve", content: 0)], tensors: [], files: [], contents: [])
        let manifest = OCIManifest(
            schemaVersion: 2, mediaType: OCIMediaType.manifest, artifactType: OCIMediaType.artifact,
            config: OCIDescriptor(mediaType: OCIMediaType.config, digest: "sha256:" + String(repeating: "0", count: 64), size: 1 << 20),
            layers: layers, annotations: OCIAnnotation.of(config))
        return try manifest.encoded().count
    }
}

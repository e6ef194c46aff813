import Foundation
import RegistryFormat
import RegistryStore

/// What a pull fetches: the manifest's layers as units of chunks numbered in first-use
/// order, and each content's chunk numbers. Format 3 units are packs whose header the
/// config names by digest; formats 1 and 2 had a layer per chunk, whose address is its digest.
struct PullPlan {
    struct Unit {
        var layer: OCIDescriptor
        var first: Int
        var count: Int
        /// sha256 of the pack's header (format 3); nil for a bare chunk layer.
        var headerDigest: [UInt8]?
        /// The chunks, when known before fetching (an old layer; a pack seen before).
        var known: [PackPlan.Chunk]?

        var headerSize: Int { headerDigest == nil ? 0 : PackPlan.headerSize(count: count) }
    }

    var units: [Unit] = []
    var contentChunks: [[Int]] = []
    var chunkCount = 0
    /// The plane width each chunk is stored with here: the dtype's of the first tensor using
    /// it, 1 for graphs, files and strings.
    var widths: [Int] = []
    let what: String

    init(manifest: OCIManifest, config: VersionConfig, what: String) throws {
        self.what = what
        func invalid(_ detail: String) -> RemoteError { .notAVersion(what: "the config of \(what)", detail: detail) }
        if config.format >= 3 {
            guard let packs = config.packs, packs.count == manifest.layers.count else {
                throw invalid("it names \(config.packs?.count ?? 0) packs, the manifest \(manifest.layers.count)")
            }
            for (layer, pack) in zip(manifest.layers, packs) {
                guard (1...PackPlan.maxChunksPerPack).contains(pack.chunks), let header = ContentHash(hex: pack.index) else {
                    throw invalid("a pack of \(pack.chunks) chunks with index '\(RemoteImport.printable(pack.index))'")
                }
                let headerSize = Int64(PackPlan.headerSize(count: pack.chunks))
                guard layer.size > headerSize, layer.size <= headerSize + Int64(pack.chunks) * Int64(ContentReader.maxRawSize) else {
                    throw invalid("pack \(layer.digest) of \(layer.size) bytes cannot hold \(pack.chunks) chunks")
                }
                units.append(Unit(layer: layer, first: chunkCount, count: pack.chunks, headerDigest: header.bytes, known: nil))
                chunkCount += pack.chunks
            }
            var next = 0
            for content in config.contents {
                guard let runs = content.runs, runs.count % 2 == 0,
                      stride(from: 0, to: runs.count, by: 2).allSatisfy({ runs[$0] >= 0 && runs[$0 + 1] > 0 && runs[$0] <= chunkCount - runs[$0 + 1] })
                else { throw invalid("a content's chunk runs are not pairs of numbers within the \(chunkCount) chunks") }
                let ordinals = VersionConfig.ordinals(runs)
                // Numbered in first-use order: each number is used before the next one is.
                for ordinal in ordinals where ordinal >= next {
                    guard ordinal == next else { throw invalid("chunk \(ordinal) is used before chunk \(next)") }
                    next += 1
                }
                contentChunks.append(ordinals)
            }
            guard next == chunkCount else { throw invalid("\(chunkCount - next) chunks of its packs are used by no content") }
        } else {
            (units, contentChunks) = try Self.legacy(manifest, config: config, what: what, invalid: invalid)
            chunkCount = units.count
        }
        var byContent: [Int: Int] = [:]
        for tensor in config.tensors {
            if let content = tensor.content, let entry = try? tensor.bundleEntry(what: what) { byContent[content] = entry.dtype.planeWidth }
        }
        widths = [Int](repeating: 0, count: chunkCount)
        for (index, ordinals) in contentChunks.enumerated() {
            for ordinal in ordinals where widths[ordinal] == 0 { widths[ordinal] = max(1, byContent[index] ?? 1) }
        }
    }

    /// Formats 1 and 2: a layer per distinct chunk, in first-use order.
    private static func legacy(_ manifest: OCIManifest, config: VersionConfig, what: String,
                               invalid: (String) -> RemoteError) throws -> ([Unit], [[Int]]) {
        var units: [Unit] = []
        var contentChunks: [[Int]] = []
        var layers: [String: OCIDescriptor] = [:]
        for layer in manifest.layers {
            guard let hash = ContentHash(ociDigest: layer.digest), (1...Int64(ContentReader.maxRawSize)).contains(layer.size) else {
                throw RemoteError.notAVersion(what: what, detail: "layer \(layer.digest) of \(layer.size) bytes is not a chunk")
            }
            layers[hash.description] = layer
        }
        var ordinals: [String: Int] = [:]
        for content in config.contents {
            var list: [Int] = []
            var total: Int64 = 0
            for chunk in content.chunks ?? [] {
                guard let layer = layers[chunk], let hash = ContentHash(hex: chunk), hash.description == chunk else {
                    throw invalid("it names chunk \(RemoteImport.printable(String(chunk.prefix(12)))), which is not a layer")
                }
                if ordinals[chunk] == nil {
                    ordinals[chunk] = units.count
                    units.append(Unit(layer: layer, first: units.count, count: 1, headerDigest: nil,
                                      known: [PackPlan.Chunk(hash: hash, size: Int(layer.size))]))
                }
                list.append(ordinals[chunk]!)
                total += layer.size
            }
            guard total == content.size else { throw invalid("a content of \(content.size) bytes is made of chunks holding \(total)") }
            contentChunks.append(list)
        }
        return (units, contentChunks)
    }

    /// What `fetch` brought.
    struct Fetched {
        var chunks: [PackPlan.Chunk]
        var crcs: [UInt32?]
        var lease: Int64
        var blobsFetched = 0
        var bytesFetched: Int64 = 0
        var chunksPresent = 0
        var bytesPresent: Int64 = 0
    }

    /// Fetches every chunk that is not stored here yet, `OCIClient.width` packs at a time;
    /// the first failure cancels the others (chunks already committed stay, leased).
    mutating func fetch(repository: OCIRepository, store: RegistryDatabase,
                        progress: (@Sendable (Int64, Int64) -> Void)?) throws -> Fetched {
        for index in units.indices where units[index].known == nil {
            if let known = try store.read({ try $0.pack(headerDigest: units[index].headerDigest!) }) {
                units[index].known = try PackPlan.parseHeader(known.header, count: units[index].count, what: "a stored pack header")
            }
        }
        let committer = try PullCommitter(store: store)
        let state = PullState(chunkCount: chunkCount)
        let transfer = TransferProgress(total: units.reduce(Int64(0)) { $0 + $1.layer.size }, callback: progress)
        let allUnits = self.units, what = self.what, widths = self.widths
        do {
            try repository.client.concurrently(allUnits) { unit in
                try PackReceiver(unit: unit, what: what, committer: committer, state: state, transfer: transfer, widths: widths)
                    .run(repository: repository)
            }
            try committer.close()
        } catch {
            try? committer.close()
            throw error
        }
        let chunks = try (0..<chunkCount).map { ordinal in
            guard let chunk = state.chunks[ordinal] else { throw RemoteError.notAVersion(what: what, detail: "chunk \(ordinal) was not received") }
            return chunk
        }
        return Fetched(chunks: chunks, crcs: state.crcs, lease: committer.lease, blobsFetched: state.blobsFetched, bytesFetched: state.bytesFetched,
                       chunksPresent: state.chunksPresent, bytesPresent: state.bytesPresent)
    }
}

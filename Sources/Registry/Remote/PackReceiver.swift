import Foundation
import RegistryFormat
import RegistryStore

/// What the transfers of one pull share: each chunk's address and size by number (from the
/// packs' headers), the crc32c of those received, and the counts the pull reports.
final class PullState: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var chunks: [PackPlan.Chunk?]
    private(set) var crcs: [UInt32?]
    private(set) var blobsFetched = 0
    private(set) var bytesFetched: Int64 = 0
    private(set) var chunksPresent = 0
    private(set) var bytesPresent: Int64 = 0

    init(chunkCount: Int) {
        chunks = Array(repeating: nil, count: chunkCount)
        crcs = Array(repeating: nil, count: chunkCount)
    }

    func record(_ list: [PackPlan.Chunk], from first: Int) {
        lock.withLock { for (offset, chunk) in list.enumerated() { chunks[first + offset] = chunk } }
    }

    func received(_ ordinal: Int, crc: UInt32) { lock.withLock { crcs[ordinal] = crc } }

    func present(count: Int, bytes: Int64) { lock.withLock { chunksPresent += count; bytesPresent += bytes } }

    func fetched(bytes: Int) { lock.withLock { bytesFetched += Int64(bytes) } }

    func startedFetch() { lock.withLock { blobsFetched += 1 } }
}

/// Receives one unit of a pull (a pack, or an old format's chunk layer) as it streams in: the
/// header first (trusted once it hashes to the digest the config gives), then each chunk,
/// held in memory alone, checked against its address, encoded and handed to the committer;
/// chunks stored here already are skipped, and when the header is known beforehand only the
/// byte range from the first missing chunk to the last is asked for.
final class PackReceiver {
    private let unit: PullPlan.Unit
    private let what: String
    private let committer: PullCommitter
    private let state: PullState
    private let transfer: TransferProgress
    private let widths: [Int]
    private var chunks: [PackPlan.Chunk] = []
    private var present: Set<Int> = []
    private var header: [UInt8] = []
    private var buffer: [UInt8] = []
    /// The chunk being received (index within the unit), and where the wanted bytes end.
    private var index = 0
    private var last = 0

    init(unit: PullPlan.Unit, what: String, committer: PullCommitter, state: PullState, transfer: TransferProgress, widths: [Int]) {
        self.unit = unit
        self.what = what
        self.committer = committer
        self.state = state
        self.transfer = transfer
        self.widths = widths
    }

    func run(repository: OCIRepository) throws {
        var range: Range<Int64> = 0..<unit.layer.size
        if let known = unit.known {
            try accept(known)
            let missing = chunks.indices.filter { !present.contains($0) }
            guard let first = missing.first, let end = missing.last else { return }
            let offsets = chunks.reduce(into: [Int64(unit.headerSize)]) { $0.append($0.last! + Int64($1.size)) }
            range = offsets[first]..<offsets[end + 1]
            index = first
            last = end
        }
        state.startedFetch()
        try repository.stream(unit.layer, range: range, what: "pack") { [self] bytes in try receive(bytes) }
        guard !chunks.isEmpty, index == last + 1 else {
            throw RemoteError.damaged(what: "pack \(unit.layer.digest)", detail: "it ended before its last chunk")
        }
    }

    /// Takes the unit's chunk list: records it and finds the chunks stored already.
    private func accept(_ list: [PackPlan.Chunk]) throws {
        let total = Int64(unit.headerSize) + list.reduce(Int64(0)) { $0 + Int64($1.size) }
        guard total == unit.layer.size else {
            throw RemoteError.notAVersion(what: what, detail: "pack \(unit.layer.digest) is \(unit.layer.size) bytes, its chunks and header \(total)")
        }
        chunks = list
        last = list.count - 1
        state.record(list, from: unit.first)
        let found = try committer.lookup(list.map(\.hash))
        present = Set(list.indices.filter { found[list[$0].hash] != nil })
        state.present(count: present.count, bytes: present.reduce(Int64(0)) { $0 + Int64(list[$1].size) })
    }

    private func receive(_ bytes: UnsafeRawBufferPointer) throws {
        state.fetched(bytes: bytes.count)
        transfer.add(Int64(bytes.count))
        var rest = bytes
        while !rest.isEmpty {
            if chunks.isEmpty {
                let take = min(rest.count, unit.headerSize - header.count)
                header.append(contentsOf: rest.prefix(take))
                rest = UnsafeRawBufferPointer(rebasing: rest[take...])
                if header.count == unit.headerSize { try acceptHeader() }
                continue
            }
            guard index <= last else {
                throw RemoteError.tooLarge(what: "pack \(unit.layer.digest)", detail: "more bytes arrived than its chunks hold")
            }
            let take = min(rest.count, chunks[index].size - buffer.count)
            buffer.append(contentsOf: rest.prefix(take))
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            if buffer.count == chunks[index].size { try finishChunk() }
        }
    }

    private func acceptHeader() throws {
        guard PackPlan.sha256(header) == unit.headerDigest else {
            throw RemoteError.damaged(what: "pack \(unit.layer.digest)", detail: "its header does not hash to the one its config names")
        }
        try accept(try PackPlan.parseHeader(header, count: unit.count, what: what))
        try committer.remember(headerDigest: unit.headerDigest!, digest: [UInt8](ContentHash(ociDigest: unit.layer.digest)?.bytes ?? []),
                               size: unit.layer.size, header: header)
        buffer.reserveCapacity(ContentReader.maxRawSize)
    }

    private func finishChunk() throws {
        defer {
            buffer.removeAll(keepingCapacity: true)
            index += 1
        }
        guard !present.contains(index) else { return }
        let chunk = chunks[index]
        let received: ReceivedChunk
        do {
            received = try ReceivedChunk(raw: buffer, expected: chunk.hash, planeWidth: widths[unit.first + index])
        } catch let mismatch as ReceivedChunkMismatch {
            throw RemoteError.damaged(what: "chunk \(chunk.hash.short) of \(unit.headerDigest == nil ? "blob" : "pack") \(unit.layer.digest)",
                                      detail: "its bytes hash to \(mismatch.actual.short)")
        }
        state.received(unit.first + index, crc: received.crc32c)
        try committer.submit(received)
    }
}

import Dispatch
import Foundation
import GRDB

/// What storing some bytes cost and saved.
public struct StoreStatistics: Sendable, Equatable, Codable {
    /// Bytes handed over.
    public var rawBytes: Int64 = 0
    /// Bytes of new chunks as stored (compressed).
    public var storedBytes: Int64 = 0
    /// Raw bytes that were already stored (same chunk or same content) and cost nothing.
    public var dedupBytes: Int64 = 0
    public var newChunks: Int = 0
    public var reusedChunks: Int = 0

    public init() {}

    public static func += (a: inout StoreStatistics, b: StoreStatistics) {
        a.rawBytes += b.rawBytes
        a.storedBytes += b.storedBytes
        a.dedupBytes += b.dedupBytes
        a.newChunks += b.newChunks
        a.reusedChunks += b.reusedChunks
    }
}

/// Turns byte streams into contents inside the caller's write transaction: cuts them into
/// fixed-size chunks, hashes and LZ4-compresses a batch of chunks on all cores, skips chunks
/// already stored, and inserts the rest. Memory stays at one batch of chunks.
final class ContentWriter {
    static let defaultChunkSize = 1 << 20
    /// Chunks processed together; bounds memory at batch × chunk size (×2 with compression).
    static let batchSize = 8

    let db: Database
    let chunkSize: Int
    private(set) var statistics = StoreStatistics()
    var progress: ((Int64) -> Void)?

    private var buffer: [UInt8] = []
    private var pending: [[UInt8]] = []
    private var chunkHashes: [ContentHash] = []
    private var chunkIDs: [Int64] = []
    private var size: Int64 = 0

    init(db: Database, chunkSize: Int = ContentWriter.defaultChunkSize) {
        // Readers refuse chunks above this size as damaged (`ContentReader.maxRawSize`).
        precondition(chunkSize > 0 && chunkSize <= ContentReader.maxRawSize, "chunk size \(chunkSize) out of range")
        self.db = db
        self.chunkSize = chunkSize
        buffer.reserveCapacity(chunkSize)
    }

    /// Stores `bytes` as one content and returns its id (an existing id when identical bytes are stored).
    func store(_ bytes: [UInt8]) throws -> Int64 {
        try bytes.withUnsafeBytes { try append($0) }
        return try finish()
    }

    /// Adds bytes to the content being built.
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        var start = 0
        while start < bytes.count {
            let take = min(chunkSize - buffer.count, bytes.count - start)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + take)]))
            start += take
            if buffer.count == chunkSize {
                pending.append(buffer)
                buffer.removeAll(keepingCapacity: true)
                if pending.count == Self.batchSize { try flush() }
            }
        }
    }

    /// Ends the content: stores what is buffered and the content row; returns its id.
    func finish() throws -> Int64 {
        if !buffer.isEmpty {
            pending.append(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
        try flush()
        let hash = ContentHash.ofContent(chunks: chunkHashes, size: size)
        defer {
            chunkHashes.removeAll()
            chunkIDs.removeAll()
            size = 0
        }
        if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM contents WHERE hash = ?", arguments: [Data(hash.bytes)]) {
            // Same bytes already stored as a whole: whatever chunks were new cannot be, since
            // the same chunks make the same content, so only the accounting changes.
            return existing
        }
        try db.execute(sql: "INSERT INTO contents (hash, size, chunk_count) VALUES (?, ?, ?)",
                       arguments: [Data(hash.bytes), size, chunkIDs.count])
        let contentID = db.lastInsertedRowID
        let statement = try db.cachedStatement(sql: "INSERT INTO content_chunks (content_id, seq, chunk_id) VALUES (?, ?, ?)")
        for (seq, chunkID) in chunkIDs.enumerated() {
            try statement.execute(arguments: [contentID, seq, chunkID])
        }
        return contentID
    }

    private struct Prepared {
        var hash: ContentHash
        var compressed: [UInt8]?
    }

    /// Hashes the pending chunks in parallel, looks each up, compresses the new ones in
    /// parallel, then inserts them from this thread (the only one that touches SQLite).
    private func flush() throws {
        guard !pending.isEmpty else { return }
        let chunks = pending
        pending.removeAll(keepingCapacity: true)
        let hashes = Self.parallelMap(chunks) { chunk in chunk.withUnsafeBytes { ContentHash.ofChunk($0) } }
        let lookup = try db.cachedStatement(sql: "SELECT id FROM chunks WHERE hash = ?")
        var ids: [Int64?] = []
        var seenInBatch: [ContentHash: Int] = [:]
        for hash in hashes {
            ids.append(try Int64.fetchOne(lookup, arguments: [Data(hash.bytes)]))
        }
        let toCompress = chunks.indices.filter { ids[$0] == nil }
        let compressed = Self.parallelMap(toCompress.map { chunks[$0] }) { chunk in chunk.withUnsafeBytes { LZ4.compress($0) } }
        var compressedByIndex: [Int: [UInt8]?] = [:]
        for (i, index) in toCompress.enumerated() { compressedByIndex[index] = compressed[i] }
        let insert = try db.cachedStatement(sql: "INSERT INTO chunks (hash, filter, raw_size, stored_size, data) VALUES (?, ?, ?, ?, ?)")
        for (index, chunk) in chunks.enumerated() {
            statistics.rawBytes += Int64(chunk.count)
            size += Int64(chunk.count)
            chunkHashes.append(hashes[index])
            if let id = ids[index] {
                statistics.dedupBytes += Int64(chunk.count)
                statistics.reusedChunks += 1
                chunkIDs.append(id)
            } else if let earlier = seenInBatch[hashes[index]] {
                statistics.dedupBytes += Int64(chunk.count)
                statistics.reusedChunks += 1
                chunkIDs.append(ids[earlier]!)
                ids[index] = ids[earlier]
            } else {
                let packed = compressedByIndex[index] ?? nil
                let (filter, data) = packed.map { (ChunkFilter.lz4, $0) } ?? (ChunkFilter.raw, chunk)
                try insert.execute(arguments: [Data(hashes[index].bytes), filter.rawValue, chunk.count, data.count, Data(data)])
                let id = db.lastInsertedRowID
                ids[index] = id
                seenInBatch[hashes[index]] = index
                chunkIDs.append(id)
                statistics.storedBytes += Int64(data.count)
                statistics.newChunks += 1
            }
            progress?(Int64(chunk.count))
        }
    }

    /// Runs `transform` over `items` on every core, keeping order.
    static func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
        if items.count <= 1 { return items.map(transform) }
        let results = UnsafeMutableBufferPointer<R?>.allocate(capacity: items.count)
        results.initialize(repeating: nil)
        defer { results.deinitialize(); results.deallocate() }
        // Each iteration writes only its own slot, so sharing the buffer is race-free.
        nonisolated(unsafe) let slots = results
        DispatchQueue.concurrentPerform(iterations: items.count) { i in
            slots[i] = transform(items[i])
        }
        return results.map { $0! }
    }
}

/// How a chunk's bytes are stored.
enum ChunkFilter: Int, Sendable {
    case raw = 0
    case lz4 = 1
}

import Foundation
import GRDB

/// What storing some bytes cost and saved.
public struct StoreStatistics: Sendable, Equatable, Codable {
    /// Bytes handed over.
    public var rawBytes: Int64 = 0
    /// Bytes of new chunks as stored (after their filters).
    public var storedBytes: Int64 = 0
    /// Raw bytes that were already stored (same chunk or same content) and cost nothing.
    public var dedupBytes: Int64 = 0
    public var newChunks: Int = 0
    public var reusedChunks: Int = 0
    /// New chunks stored as an XOR against their parent's chunk.
    public var deltaChunks: Int = 0

    public init() {}

    public static func += (a: inout StoreStatistics, b: StoreStatistics) {
        a.rawBytes += b.rawBytes
        a.storedBytes += b.storedBytes
        a.dedupBytes += b.dedupBytes
        a.newChunks += b.newChunks
        a.reusedChunks += b.reusedChunks
        a.deltaChunks += b.deltaChunks
    }
}

/// Turns byte streams into contents inside the caller's write transaction. The caller's thread
/// cuts the stream into fixed-size chunks and is the only one to touch SQLite; each chunk goes
/// through an `OrderedPipeline` where worker threads hash it and pick and apply its filter
/// while the caller reads on and inserts earlier chunks. At most `depth` chunks are in flight.
final class ContentWriter {
    static let defaultChunkSize = 1 << 20
    /// A delta chunk's chain holds at most this many chunks below it: every `maxDepth + 1`
    /// versions a chunk is stored whole, so reading one costs at most that many decodes.
    static let maxDepth = 7

    let db: Database
    let chunkSize: Int
    private(set) var statistics = StoreStatistics()
    var progress: ((Int64) -> Void)?

    private struct Prepared: Sendable {
        var raw: [UInt8]
        var hash: ContentHash
        var encoded: EncodedChunk?
        var base: StoredChunk?
    }

    private let pipeline = OrderedPipeline<Result<Prepared, Error>>()
    private var buffer: [UInt8] = []
    private var chunkHashes: [ContentHash] = []
    private var chunkIDs: [Int64] = []
    private var size: Int64 = 0
    /// The content being built: element width (picks the filter) and the base's chunks.
    private var elementSize = 1
    private var baseChunks: [ChunkReference] = []
    private var position = 0

    init(db: Database, chunkSize: Int = ContentWriter.defaultChunkSize) {
        // Readers refuse chunks above this size as damaged (`ContentReader.maxRawSize`).
        precondition(chunkSize > 0 && chunkSize <= ContentReader.maxRawSize, "chunk size \(chunkSize) out of range")
        self.db = db
        self.chunkSize = chunkSize
        buffer.reserveCapacity(chunkSize)
    }

    /// Starts a content of `dtype` elements; when `base` (the same tensor in the parent
    /// version) is given, each chunk may be stored as the XOR against the base's chunk at the
    /// same position.
    func begin(dtype: DType?, base: Int64? = nil) throws {
        elementSize = dtype?.shuffleWidth ?? 1
        baseChunks = try base.map { try ContentReader(db: db).chunkList($0) } ?? []
    }

    /// Stores `bytes` as one content and returns its id (an existing id when identical bytes are stored).
    func store(_ bytes: [UInt8], dtype: DType? = nil, base: Int64? = nil) throws -> Int64 {
        try begin(dtype: dtype, base: base)
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
            if buffer.count == chunkSize { try submitBuffer() }
        }
    }

    /// Ends the content: stores what is buffered and the content row; returns its id.
    func finish() throws -> Int64 {
        if !buffer.isEmpty { try submitBuffer() }
        while let result = pipeline.next() { try commit(result.get()) }
        let hash = ContentHash.ofContent(chunks: chunkHashes, size: size)
        defer {
            chunkHashes.removeAll()
            chunkIDs.removeAll()
            size = 0
            position = 0
            baseChunks = []
            elementSize = 1
        }
        return try insertContent(hash: hash, size: size, chunkIDs: chunkIDs)
    }

    /// Hands the full buffer to a worker: hash, then (unless it is the base's own chunk,
    /// unchanged) filter it, against the base when there is one.
    private func submitBuffer() throws {
        let raw = buffer
        buffer.removeAll(keepingCapacity: true)
        var chain: [StoredChunk] = []
        var baseHash: ContentHash?
        if position < baseChunks.count, baseChunks[position].rawSize == raw.count {
            let base = baseChunks[position]
            baseHash = base.hash
            if base.depth < Self.maxDepth { chain = try ContentReader(db: db).chain(base.id) }
        }
        position += 1
        let width = elementSize
        let (baseChain, unchangedHash) = (chain, baseHash)
        pipeline.submit {
            Result {
                let hash = raw.withUnsafeBytes { ContentHash.ofChunk($0) }
                if hash == unchangedHash { return Prepared(raw: raw, hash: hash, encoded: nil, base: nil) }
                let baseBytes = baseChain.isEmpty ? nil : try ChunkDecoder.decode(chain: baseChain, verify: false)
                let encoded = raw.withUnsafeBytes { raw in
                    guard let baseBytes else { return ChunkEncoder.encode(raw, elementSize: width, base: nil) }
                    return baseBytes.withUnsafeBytes { ChunkEncoder.encode(raw, elementSize: width, base: $0) }
                }
                return Prepared(raw: raw, hash: hash, encoded: encoded, base: baseChain.first)
            }
        }
        while pipeline.isFull, let result = pipeline.next() { try commit(result.get()) }
    }

    /// Records a prepared chunk (or finds it stored) on the caller's thread.
    private func commit(_ chunk: Prepared) throws {
        let count = Int64(chunk.raw.count)
        statistics.rawBytes += count
        size += count
        chunkHashes.append(chunk.hash)
        if let id = try storedChunkID(chunk.hash) {
            statistics.dedupBytes += count
            statistics.reusedChunks += 1
            chunkIDs.append(id)
        } else {
            let encoded = chunk.encoded ?? chunk.raw.withUnsafeBytes { ChunkEncoder.encode($0, elementSize: elementSize, base: nil) }
            let base = encoded.isDelta ? chunk.base : nil
            let id = try chunk.raw.withUnsafeBytes { try insertChunk(hash: chunk.hash, raw: $0, encoded: encoded, base: base) }
            chunkIDs.append(id)
            statistics.storedBytes += Int64(encoded.data?.count ?? chunk.raw.count)
            statistics.newChunks += 1
            if base != nil { statistics.deltaChunks += 1 }
        }
        progress?(count)
    }

    /// The id of the chunk stored under `hash`, if any.
    func storedChunkID(_ hash: ContentHash) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM chunks WHERE hash = ?"), arguments: [Data(hash.bytes)])
    }

    /// Inserts one chunk row; its stored bytes are bound without a copy.
    func insertChunk(hash: ContentHash, raw: UnsafeRawBufferPointer, encoded: EncodedChunk, base: StoredChunk?) throws -> Int64 {
        let insert = try db.cachedStatement(sql: """
            INSERT INTO chunks (hash, filter, width, raw_size, stored_size, base_id, depth, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        func run(_ stored: UnsafeRawBufferPointer) throws {
            let blob = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: stored.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!),
                            count: stored.count, deallocator: .none)
            try insert.execute(arguments: [Data(hash.bytes), encoded.filter.rawValue, encoded.width, raw.count, stored.count,
                                           base?.id, base.map { $0.depth + 1 } ?? 0, blob])
        }
        if let data = encoded.data { try data.withUnsafeBytes(run) } else { try run(raw) }
        return db.lastInsertedRowID
    }

    /// Records a content row for chunks already stored, or returns the row of the same content.
    func insertContent(hash: ContentHash, size: Int64, chunkIDs: [Int64]) throws -> Int64 {
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
}


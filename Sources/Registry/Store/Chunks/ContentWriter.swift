import RegistryFormat
import Foundation
import GRDB

/// Turns byte streams into contents inside the caller's write transaction. The caller's thread
/// cuts the stream into fixed-size chunks and is the only one to touch SQLite; each chunk goes
/// through an `OrderedPipeline` where worker threads (read it from its file,) hash it and pick
/// and apply its filter while the caller inserts earlier chunks. At most `depth` chunks are in
/// flight. Every `WritebackTrigger.interval` stored bytes the database file is flushed in the background.
package final class ContentWriter {
    package static let defaultChunkSize = 1 << 20
    /// A delta chunk's chain holds at most this many chunks below it: every `maxDepth + 1`
    /// versions a chunk is stored whole, so reading one costs at most that many decodes.
    package static let maxDepth = 7

    let db: Database
    package let chunkSize: Int
    package private(set) var statistics = StoreStatistics()
    package var progress: ((Int64) -> Void)?
    /// Sees every chunk as it is committed (found stored or not), in order, on the caller's
    /// thread: what lets a push hash the packs its version travels in from the bytes it
    /// imports (`PackDigester`) instead of reading them back out of the store.
    package var committed: ((CommittedChunk) throws -> Void)?
    /// Chunks imported earlier in this process that can be read again from their files, for
    /// the delta bases of a folder of checkpoints pushed in one go (`RawChunkSources`); the
    /// writer adds what it commits from files.
    package var rawSources: RawChunkSources?

    private struct Prepared: Sendable {
        var raw: [UInt8]
        var hash: ContentHash
        var encoded: EncodedChunk?
        /// The chunk `encoded` was made against, when it was.
        var base: ChunkReference?
        /// crc32c of `raw`, for chunks read from a file.
        var crc: UInt32?
        var width: Int
        var source: Source
    }

    /// Where a chunk's bytes come from: handed over, or read by the worker from a file.
    private enum Source: Sendable {
        case bytes([UInt8])
        case file(ReadableFile, offset: Int64, count: Int)
    }

    /// A content whose chunks are (being) submitted; it is recorded once all of them are
    /// committed, and then its completion runs. A content without chunk count is still open.
    private struct Pending {
        var expected: Int?
        var hashes: [ContentHash] = []
        var ids: [Int64] = []
        var size: Int64 = 0
        var crc: UInt32 = 0
        /// Called with the content's id and crc32c; a barrier (`afterPending`) has no content.
        var completion: ((Int64?, UInt32) throws -> Void)?
        var isBarrier = false
    }

    private let pipeline = OrderedPipeline<Result<Prepared, Error>>()
    private var buffer: [UInt8] = []
    /// Contents in submission order from `front` on: chunks are committed to the first one
    /// not complete, since results come back in order.
    private var pending: [Pending] = []
    private var front = 0
    /// The content being submitted: element width (picks the filter), the base's chunks and
    /// how many chunks it has so far.
    private var planeWidth = 1
    private var baseChunks: [ChunkReference] = []
    private var position = 0
    private let crcCombiner: CRC32C.Combiner
    private var writeback: WritebackTrigger?

    /// A writer inside `session`'s transaction.
    package convenience init(_ session: StoreSession, chunkSize: Int = ContentWriter.defaultChunkSize) {
        self.init(db: session.db, chunkSize: chunkSize)
    }

    init(db: Database, chunkSize: Int = ContentWriter.defaultChunkSize) {
        // Readers refuse chunks above this size as damaged (`ContentReader.maxRawSize`).
        precondition(chunkSize > 0 && chunkSize <= ContentReader.maxRawSize, "chunk size \(chunkSize) out of range")
        self.db = db
        self.chunkSize = chunkSize
        writeback = WritebackTrigger(database: db)
        crcCombiner = CRC32C.Combiner(length: chunkSize)
        buffer.reserveCapacity(chunkSize)
    }

    /// Starts a content of `dtype` elements; when `base` (the same tensor in the parent
    /// version) is given, each chunk may be stored relative to the base's chunk at the
    /// same position.
    package func begin(dtype: DType?, base: Int64? = nil) throws {
        precondition(pending.last?.expected != nil || pending.count == front, "begin() while a content is open")
        planeWidth = dtype?.planeWidth ?? 1
        baseChunks = try base.map { try ContentReader(db: db).chunkList($0) } ?? []
        position = 0
        pending.append(Pending())
    }

    /// Stores `bytes` as one content and returns its id (an existing id when identical bytes are stored).
    package func store(_ bytes: [UInt8], dtype: DType? = nil, base: Int64? = nil) throws -> Int64 {
        try begin(dtype: dtype, base: base)
        try bytes.withUnsafeBytes { try append($0) }
        return try finish()
    }

    /// Stores `count` bytes of `file` from `offset` as one content; `then` gets its id and the
    /// crc32c of those bytes (for the caller to check against the file's own index) once its
    /// chunks are committed, which may be after later contents were submitted: call `flush()`
    /// at the end. The workers read the chunks themselves, pread being safe from any thread,
    /// so the caller's thread only inserts: it was the busier one when it read every byte first.
    package func store(file: ReadableFile, offset: Int64, count: Int64, dtype: DType?, base: Int64?,
               then completion: @escaping (_ contentID: Int64, _ crc32c: UInt32) throws -> Void) throws {
        try begin(dtype: dtype, base: base)
        var done: Int64 = 0
        while done < count {
            let length = Int(min(Int64(chunkSize), count - done))
            try submit(.file(file, offset: offset + done, count: length))
            done += Int64(length)
        }
        try seal { id, crc in try completion(id!, crc) }
    }

    /// Runs `body` once every content submitted so far is recorded (and their completions ran),
    /// keeping rows that depend on no content in order with those that do.
    package func afterPending(_ body: @escaping () throws -> Void) throws {
        var barrier = Pending(expected: 0)
        barrier.isBarrier = true
        barrier.completion = { _, _ in try body() }
        pending.append(barrier)
        try recordCompleted()
    }

    /// Adds bytes to the content being built.
    package func append(_ bytes: UnsafeRawBufferPointer) throws {
        var start = 0
        while start < bytes.count {
            let take = min(chunkSize - buffer.count, bytes.count - start)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + take)]))
            start += take
            if buffer.count == chunkSize { try submitBuffer() }
        }
    }

    /// Ends the content: stores what is buffered and the content row; returns its id.
    package func finish() throws -> Int64 {
        var id: Int64?
        try seal { contentID, _ in id = contentID }
        try flush()
        return id!
    }

    /// Commits every chunk in flight and records every content (running their completions).
    package func flush() throws {
        while let result = pipeline.next() { try commit(result.get()) }
        try recordCompleted()
    }

    /// Closes the open content: no more chunks for it.
    private func seal(_ completion: @escaping (Int64?, UInt32) throws -> Void) throws {
        if !buffer.isEmpty { try submitBuffer() }
        precondition(pending.count > front && pending[pending.count - 1].expected == nil, "no content is open")
        pending[pending.count - 1].expected = position
        pending[pending.count - 1].completion = completion
        baseChunks = []
        planeWidth = 1
        try recordCompleted()
    }

    /// Records the contents at the front whose chunks are all committed, in order.
    private func recordCompleted() throws {
        while front < pending.count, let expected = pending[front].expected, pending[front].ids.count == expected {
            let content = pending[front]
            pending[front] = Pending()
            front += 1
            if front == pending.count || front >= 64 {
                pending.removeFirst(front)
                front = 0
            }
            var id: Int64?
            if !content.isBarrier {
                id = try insertContent(hash: ContentHash.ofContent(chunks: content.hashes, size: content.size), size: content.size, chunkIDs: content.ids)
            }
            try content.completion?(id, content.crc)
        }
    }

    private func submitBuffer() throws {
        let raw = buffer
        buffer.removeAll(keepingCapacity: true)
        try submit(.bytes(raw))
    }

    /// Where a worker gets the base chunk's raw bytes: decoded from its stored chain, or read
    /// again from the file it was imported from in this process (`RawChunkSources`).
    private enum BaseBytes: Sendable {
        case none
        case chain([StoredChunk], ChunkReference)
        case reread(CommittedChunk, ChunkReference)
    }

    /// Hands a chunk to a worker: read it (from a file), hash, then (unless it is the base's
    /// own chunk, unchanged) filter it, against the base when there is one.
    private func submit(_ source: Source) throws {
        let count: Int
        switch source {
        case .bytes(let raw): count = raw.count
        case .file(_, _, let length): count = length
        }
        var base = BaseBytes.none
        var baseHash: ContentHash?
        if position < baseChunks.count, baseChunks[position].rawSize == count {
            let reference = baseChunks[position]
            baseHash = reference.hash
            if reference.depth < Self.maxDepth {
                if let imported = rawSources?.source(of: reference.hash) {
                    base = .reread(imported, reference)
                } else {
                    base = .chain(try ContentReader(db: db).chain(reference.id), reference)
                }
            }
        }
        position += 1
        let (width, unchangedHash, baseBytes) = (planeWidth, baseHash, base)
        pipeline.submit {
            Result { try Self.prepare(source, base: baseBytes, unchangedHash: unchangedHash, width: width) }
        }
        while pipeline.isFull, let result = pipeline.next() { try commit(result.get()) }
    }

    /// A worker's part: reads the chunk (from a file, taking its crc32c), hashes it and, unless
    /// it is the base's own chunk unchanged, picks and applies its filter against the base.
    private static func prepare(_ source: Source, base: BaseBytes, unchangedHash: ContentHash?, width: Int) throws -> Prepared {
        let raw: [UInt8], crc: UInt32?
        switch source {
        case .bytes(let bytes):
            (raw, crc) = (bytes, nil)
        case .file(let file, let offset, let count):
            raw = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                try file.read(at: offset, into: UnsafeMutableRawBufferPointer(buffer))
                initialized = count
            }
            crc = raw.withUnsafeBytes { CRC32C.extend(0, $0) }
        }
        let hash = raw.withUnsafeBytes { ContentHash.ofChunk($0) }
        if hash == unchangedHash { return Prepared(raw: raw, hash: hash, encoded: nil, base: nil, crc: crc, width: width, source: source) }
        var baseBytes: [UInt8]?
        var reference: ChunkReference?
        switch base {
        case .none:
            break
        case .chain(let chain, let chunk):
            (baseBytes, reference) = (try ChunkDecoder.decode(chain: chain, verify: false), chunk)
        case .reread(let imported, let chunk):
            // Only bytes that still hash to the base's address may stand for it; else no base.
            if let bytes = imported.rawBytes(), bytes.withUnsafeBytes({ ContentHash.ofChunk($0) }) == chunk.hash {
                (baseBytes, reference) = (bytes, chunk)
            }
        }
        let encoded = raw.withUnsafeBytes { raw in
            guard let baseBytes else { return ChunkEncoder.encode(raw, planeWidth: width, base: nil) }
            return baseBytes.withUnsafeBytes { ChunkEncoder.encode(raw, planeWidth: width, base: $0) }
        }
        return Prepared(raw: raw, hash: hash, encoded: encoded, base: reference, crc: crc, width: width, source: source)
    }

    /// Records a prepared chunk (or finds it stored) on the caller's thread, for the first
    /// content still waiting for chunks.
    private func commit(_ chunk: Prepared) throws {
        let count = Int64(chunk.raw.count)
        statistics.rawBytes += count
        let id: Int64
        if let stored = try storedChunkID(chunk.hash) {
            statistics.dedupBytes += count
            statistics.reusedChunks += 1
            id = stored
        } else {
            let encoded = chunk.encoded ?? chunk.raw.withUnsafeBytes { ChunkEncoder.encode($0, planeWidth: chunk.width, base: nil) }
            let base = encoded.isDelta ? chunk.base : nil
            id = try chunk.raw.withUnsafeBytes { try insertChunk(hash: chunk.hash, raw: $0, encoded: encoded, base: base) }
            let stored = encoded.data?.count ?? chunk.raw.count
            statistics.storedBytes += Int64(stored)
            writeback?.wrote(stored)
            statistics.newChunks += 1
            if base != nil { statistics.deltaChunks += 1 }
        }
        var content = pending[front]
        pending[front] = Pending()  // one owner of the arrays while they grow
        content.size += count
        content.hashes.append(chunk.hash)
        content.ids.append(id)
        if let crc = chunk.crc {
            content.crc = crcCombiner.combine(content.crc, crc, secondLength: chunk.raw.count)
        }
        pending[front] = content
        if committed != nil || rawSources != nil {
            let observed = CommittedChunk(hash: chunk.hash, bytes: Self.committedBytes(chunk))
            rawSources?.remember(observed)
            try committed?(observed)
        }
        progress?(count)
        try recordCompleted()
    }

    /// A committed chunk's bytes for an observer: where they were read from, else in hand.
    private static func committedBytes(_ chunk: Prepared) -> CommittedChunk.Bytes {
        if case .file(let file, let offset, let count) = chunk.source, let crc = chunk.crc {
            return .file(file, offset: offset, count: count, crc32c: crc)
        }
        return .held(chunk.raw)
    }

    /// The id of the chunk stored under `hash`, if any.
    func storedChunkID(_ hash: ContentHash) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM chunks WHERE hash = ?"), arguments: [Data(hash.bytes)])
    }

    /// Inserts one chunk row; its stored bytes are bound without a copy. `rawSize` is the raw
    /// bytes' count when `raw` is not given (an encoded chunk keeps only its encoded bytes).
    func insertChunk(hash: ContentHash, raw: UnsafeRawBufferPointer, encoded: EncodedChunk, base: ChunkReference?,
                     rawSize: Int? = nil) throws -> Int64 {
        let insert = try db.cachedStatement(sql: """
            INSERT INTO chunks (hash, filter, width, raw_size, stored_size, base_id, depth, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        func run(_ stored: UnsafeRawBufferPointer) throws {
            let blob = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: stored.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!),
                            count: stored.count, deallocator: .none)
            try insert.execute(arguments: [Data(hash.bytes), encoded.filter.rawValue, encoded.width, rawSize ?? raw.count, stored.count,
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


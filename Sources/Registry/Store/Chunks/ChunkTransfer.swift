import RegistryFormat
import Foundation
import GRDB

/// One stored chunk of a content: its address and raw size (what a transfer sees), and how
/// many delta bases lie below it (what a writer choosing a base needs).
package struct ChunkReference: Sendable, Hashable {
    package var id: Int64
    package var hash: ContentHash
    package var rawSize: Int
    package var depth: Int
}

/// Chunk-at-a-time access for copying contents between registries (OCI remotes): a content is
/// its ordered chunk addresses plus its size, and a chunk travels as its raw bytes, whatever
/// filter (LZ4, shuffle, delta) stores it here.
extension ContentReader {
    /// The chunks of a content, in order.
    package func chunkList(_ contentID: Int64) throws -> [ChunkReference] {
        try Row.fetchAll(db, sql: """
            SELECT chunks.id, chunks.hash, chunks.raw_size, chunks.depth FROM content_chunks
            JOIN chunks ON chunks.id = content_chunks.chunk_id
            WHERE content_chunks.content_id = ? ORDER BY content_chunks.seq
            """, arguments: [contentID]).map { row in
            ChunkReference(id: row[0], hash: ContentHash(bytes: [UInt8](row[1] as Data)), rawSize: row[2], depth: row[3])
        }
    }

    /// A chunk's raw bytes, checked against its address.
    package func chunkBytes(_ chunkID: Int64) throws -> [UInt8] {
        var reader = self
        reader.verifyHashes = true
        return try reader.decodeChunk(id: chunkID)
    }

    /// A chunk's stored rows (with its delta bases), to decode outside the session.
    package func storedRows(_ chunkID: Int64) throws -> StoredChunkRows {
        StoredChunkRows(rows: try chain(chunkID))
    }

    /// The raw bytes of chunks, in order, to `body`: this thread reads the rows, worker
    /// threads decode them (`OrderedPipeline`), so a long stream keeps the cores busy.
    package func streamChunks(_ ids: [Int64], _ body: (Int, [UInt8]) throws -> Void) throws {
        let pipeline = OrderedPipeline<Result<[UInt8], Error>>()
        defer { while pipeline.next() != nil {} }
        var index = 0
        for id in ids {
            let rows = try chain(id)
            pipeline.submit { Result { try ChunkDecoder.decode(chain: rows, verify: false) } }
            while pipeline.isFull, let result = pipeline.next() { try body(index, try result.get()); index += 1 }
        }
        while let result = pipeline.next() { try body(index, try result.get()); index += 1 }
    }

    /// The stored ids of chunks by address, for those that are stored.
    package func chunkIDs(_ hashes: [ContentHash]) throws -> [ContentHash: Int64] {
        var found: [ContentHash: Int64] = [:]
        let statement = try db.cachedStatement(sql: "SELECT id FROM chunks WHERE hash = ?")
        for hash in hashes {
            if let id = try Int64.fetchOne(statement, arguments: [Data(hash.bytes)]) { found[hash] = id }
        }
        return found
    }
}

/// A chunk's stored rows, read in a session and decoded on any thread.
package struct StoredChunkRows: Sendable {
    let rows: [StoredChunk]

    /// The raw bytes; with `verify`, checked against the chunk's address.
    package func decode(verify: Bool = false) throws -> [UInt8] {
        try ChunkDecoder.decode(chain: rows, verify: verify)
    }
}

/// A chunk received from elsewhere (a remote), checked against the address it was announced
/// under and encoded on the receiving thread, so that the thread owning the database only
/// inserts it.
package struct ReceivedChunk: Sendable {
    package let hash: ContentHash
    package let size: Int
    /// crc32c of the raw bytes (tensors' checksums are combined from these).
    package let crc32c: UInt32
    /// The raw bytes when they are what is stored (no filter pays), else empty: a chunk
    /// waiting to be inserted holds one copy of its bytes, not two.
    let raw: [UInt8]
    let encoded: EncodedChunk

    /// Checks `raw` (size and sha256 against `expected`) and encodes it for `planeWidth`.
    package init(raw: [UInt8], expected: ContentHash, planeWidth: Int) throws {
        guard !raw.isEmpty, raw.count <= ContentReader.maxRawSize else {
            throw StoreError.damaged(what: "chunk \(expected.short)", detail: "its size \(raw.count) is not that of a chunk (1 to \(ContentReader.maxRawSize) bytes)")
        }
        let actual = raw.withUnsafeBytes { ContentHash.ofChunk($0) }
        guard actual == expected else { throw ReceivedChunkMismatch(actual: actual) }
        hash = expected
        size = raw.count
        crc32c = raw.withUnsafeBytes { CRC32C.extend(0, $0) }
        encoded = raw.withUnsafeBytes { ChunkEncoder.encode($0, planeWidth: planeWidth, base: nil) }
        self.raw = encoded.data == nil ? raw : []
    }
}

/// The bytes received for a chunk hash to something else.
package struct ReceivedChunkMismatch: Error {
    package let actual: ContentHash
}

extension ContentWriter {
    /// Whether a chunk with this address is stored.
    package func hasChunk(_ hash: ContentHash) throws -> Bool {
        try storedChunkID(hash) != nil
    }

    /// Stores one chunk received from elsewhere, after checking its bytes against `hash`;
    /// returns the id of the stored (or already present) chunk. `planeWidth` is the width of
    /// the tensor's elements (1 when unknown) and picks the filter.
    package func storeChunk(_ raw: [UInt8], hash: ContentHash, planeWidth: Int = 1) throws -> Int64 {
        guard !raw.isEmpty, raw.count <= ContentReader.maxRawSize else {
            throw StoreError.damaged(what: "chunk \(hash.short)", detail: "its size \(raw.count) is not that of a chunk (1 to \(ContentReader.maxRawSize) bytes)")
        }
        let actual = raw.withUnsafeBytes { ContentHash.ofChunk($0) }
        guard actual == hash else {
            throw StoreError.damaged(what: "chunk \(hash.short)", detail: "its bytes hash to \(actual.short)")
        }
        if let id = try storedChunkID(hash) { return id }
        let id = try raw.withUnsafeBytes { raw in
            try insertChunk(hash: hash, raw: raw, encoded: ChunkEncoder.encode(raw, planeWidth: planeWidth, base: nil), base: nil)
        }
        // No content lists it yet: noted for gc (migration 0012), which drops it should the
        // transfer that fetched it be abandoned, and forgets the note once a content lists it.
        try db.execute(sql: "INSERT OR IGNORE INTO gc_chunks (id) VALUES (?)", arguments: [id])
        return id
    }

    /// Stores a received chunk (or finds it stored); returns its id.
    package func insert(_ chunk: ReceivedChunk) throws -> Int64 {
        if let id = try storedChunkID(chunk.hash) { return id }
        let id = try chunk.raw.withUnsafeBytes { try insertChunk(hash: chunk.hash, raw: $0, encoded: chunk.encoded, base: nil, rawSize: chunk.size) }
        // Noted for gc, as above: a lease keeps it while its pull runs.
        try db.execute(sql: "INSERT OR IGNORE INTO gc_chunks (id) VALUES (?)", arguments: [id])
        return id
    }

    /// Records a content made of chunks that are all stored already; returns its id (an
    /// existing one when the same content is stored).
    package func storeContent(chunks: [ContentHash], size: Int64) throws -> Int64 {
        var ids: [Int64] = []
        ids.reserveCapacity(chunks.count)
        var total: Int64 = 0
        for hash in chunks {
            guard let row = try Row.fetchOne(db, sql: "SELECT id, raw_size FROM chunks WHERE hash = ?", arguments: [Data(hash.bytes)]) else {
                throw StoreError.damaged(what: "content", detail: "its chunk \(hash.short) is not stored")
            }
            ids.append(row[0])
            total += row[1] as Int64
        }
        guard total == size else {
            throw StoreError.damaged(what: "content", detail: "its chunks hold \(total) bytes, not the \(size) recorded")
        }
        return try insertContent(hash: ContentHash.ofContent(chunks: chunks, size: size), size: size, chunkIDs: ids)
    }
}

import RegistryFormat
import Dispatch
import Foundation
import GRDB
import GRDBSQLite

/// Streams a stored content back. The caller's thread selects chunk rows in order (with the
/// chain of bases of a delta chunk) and hands each to an `OrderedPipeline`, whose workers undo
/// the filters and check the size recorded when it was stored (and, when asked, the hash);
/// the caller gets the bytes back in order while later chunks decode.
package struct ContentReader {
    let db: Database
    package var verifyHashes = false

    /// A reader in `session`; with `verifyHashes`, every chunk is checked against its address.
    package init(_ session: StoreSession, verifyHashes: Bool = false) {
        self.init(db: session.db, verifyHashes: verifyHashes)
    }

    init(db: Database, verifyHashes: Bool = false) {
        self.db = db
        self.verifyHashes = verifyHashes
    }

    /// Calls `body` with the content's bytes in order, one chunk at a time.
    package func stream(_ contentID: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let ids = try Int64.fetchAll(db, sql: "SELECT chunk_id FROM content_chunks WHERE content_id = ? ORDER BY seq", arguments: [contentID])
        let verify = verifyHashes
        if ids.count == 1 {
            // One chunk (graphs, small tensors and files): no thread hop.
            let bytes = try ChunkDecoder.decode(chain: try chain(ids[0], of: contentID), verify: verify)
            try bytes.withUnsafeBytes(body)
            return
        }
        let pipeline = OrderedPipeline<Result<[UInt8], Error>>()
        for id in ids {
            let rows = try chain(id, of: contentID)
            pipeline.submit { Result { try ChunkDecoder.decode(chain: rows, verify: verify) } }
            while pipeline.isFull, let result = pipeline.next() { try result.get().withUnsafeBytes(body) }
        }
        while let result = pipeline.next() { try result.get().withUnsafeBytes(body) }
    }

    /// Where a content goes: into `file` from `offset`.
    package struct Placement {
        package var contentID: Int64
        package var file: WritableFile
        package var offset: Int64

        package init(contentID: Int64, file: WritableFile, offset: Int64) {
            self.contentID = contentID
            self.file = file
            self.offset = offset
        }
    }

    /// Writes each content at its place and returns the size and crc32c of each. The workers
    /// decode each chunk, take its crc32c and write it at its place, one at a time per file
    /// (two writing one file at once spun on its inode lock in the kernel: 15 % of a pull, and
    /// seconds of system time at worst); this thread only selects rows. One pipeline runs
    /// through all the contents, so that a model of many small tensors keeps the cores as busy
    /// as one large tensor.
    package func write(_ placements: [Placement], progress: ((Int64) -> Void)? = nil) throws -> [(size: Int64, crc32c: UInt32)] {
        let verify = verifyHashes
        let combiner = CRC32C.Combiner(length: ContentWriter.defaultChunkSize)
        let pipeline = OrderedPipeline<Result<(placement: Int, count: Int, crc: UInt32), Error>>()
        defer { while pipeline.next() != nil {} }
        var results = [(size: Int64, crc32c: UInt32)](repeating: (0, 0), count: placements.count)
        func take(_ result: Result<(placement: Int, count: Int, crc: UInt32), Error>) throws {
            let (index, count, chunkCRC) = try result.get()
            results[index].crc32c = combiner.combine(results[index].crc32c, chunkCRC, secondLength: count)
            results[index].size += Int64(count)
            progress?(Int64(count))
        }
        let ids = try db.cachedStatement(sql: "SELECT chunk_id FROM content_chunks WHERE content_id = ? ORDER BY seq")
        for (index, placement) in placements.enumerated() {
            var position = placement.offset
            let file = placement.file
            for id in try Int64.fetchAll(ids, arguments: [placement.contentID]) {
                let rows = try chain(id, of: placement.contentID)
                guard (1...Self.maxRawSize).contains(rows[0].rawSize) else {
                    throw StoreError.damaged(what: "chunk \(id)", detail: "its recorded size \(rows[0].rawSize) is not that of a stored chunk (1 to \(Self.maxRawSize) bytes)")
                }
                let at = position
                position += Int64(rows[0].rawSize)
                pipeline.submit {
                    Result {
                        let bytes = try ChunkDecoder.decode(chain: rows, verify: verify)
                        try bytes.withUnsafeBytes { try file.write($0, at: at) }
                        return (index, bytes.count, bytes.withUnsafeBytes { CRC32C.extend(0, $0) })
                    }
                }
                while pipeline.isFull, let result = pipeline.next() { try take(result) }
            }
        }
        while let result = pipeline.next() { try take(result) }
        return results
    }

    /// Writes one content at `offset` in `file` (see `write(_:progress:)`).
    package func write(_ contentID: Int64, to file: WritableFile, at offset: Int64, progress: ((Int64) -> Void)? = nil) throws -> (size: Int64, crc32c: UInt32) {
        try write([Placement(contentID: contentID, file: file, offset: offset)], progress: progress)[0]
    }

    /// The whole content in memory (for small contents: graphs, strings, small files).
    package func read(_ contentID: Int64) throws -> [UInt8] {
        var out: [UInt8] = []
        try stream(contentID) { out.append(contentsOf: $0) }
        return out
    }

    /// One chunk's raw bytes.
    func decodeChunk(id: Int64) throws -> [UInt8] {
        try ChunkDecoder.decode(chain: try chain(id), verify: verifyHashes)
    }

    /// A chunk's row followed by its bases' rows, down to one stored whole. The walk stops at
    /// `maxDepth + 1` links whatever the rows say, so a damaged link cannot loop.
    func chain(_ id: Int64, of contentID: Int64? = nil) throws -> [StoredChunk] {
        // The data column only for small chunks; larger ones are read by `blobData`.
        let fetch = try db.cachedStatement(sql: """
            SELECT id, hash, filter, width, raw_size, base_id, depth, CASE WHEN stored_size < \(Self.blobReadThreshold) THEN data END
            FROM chunks WHERE id = ?
            """)
        var rows: [StoredChunk] = []
        var next: Int64? = id
        while let current = next {
            guard let row = try Row.fetchOne(fetch, arguments: [current]) else {
                let owner = contentID.map { "content \($0)" } ?? "chunk \(id)"
                throw StoreError.damaged(what: owner, detail: rows.isEmpty ? "chunk \(current) is missing" : "the delta base \(current) of chunk \(id) is missing")
            }
            let data: Data = try row[7] ?? blobData(chunk: current)
            rows.append(StoredChunk(id: row[0], hash: row[1], filter: row[2], width: row[3], rawSize: row[4], baseID: row[5], depth: row[6], data: data))
            next = row[5]
            if next != nil, rows.count > ContentWriter.maxDepth {
                throw StoreError.damaged(what: "chunk \(id)", detail: "its chain of delta bases is longer than \(ContentWriter.maxDepth)")
            }
        }
        return rows
    }

    /// Chunks stored in at least this many bytes are read with `sqlite3_blob_read`. Selecting
    /// the column copied a chunk twice, from its overflow pages into SQLite's row buffer and from
    /// there into a `Data`; the blob handle reads the pages straight into the buffer handed on.
    /// Callgrind, pull of a 64 MiB SavedModel (64 chunks of 1 MiB): 423.1 M instructions before,
    /// 366.1 M after (memcpy 115.9 M to 58 M); 7 turns natively, medians 0.10 s of CPU before and
    /// 0.08 after. A pull of 1,400 small tensors (`many_tensors_multiblock`, 11 chunks above
    /// the threshold) went from 450–451 M to 455–457 M, the cost of the CASE. Below a page,
    /// the bytes lie in the row's own page (selected without a copy) and opening a blob handle,
    /// which compiles a statement, would cost more than the copy it saves.
    static let blobReadThreshold = 32 << 10

    /// A chunk's stored bytes through an incremental blob handle (see `blobReadThreshold`).
    private func blobData(chunk id: Int64) throws -> Data {
        let connection = db.sqliteConnection
        var handle: OpaquePointer?
        var code = sqlite3_blob_open(connection, "main", "chunks", "data", id, 0, &handle)
        defer { sqlite3_blob_close(handle) }
        guard code == SQLITE_OK, let blob = handle else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: connection.map { String(cString: sqlite3_errmsg($0)) })
        }
        let count = Int(sqlite3_blob_bytes(blob))
        guard count > 0 else { return Data() }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 16)
        code = sqlite3_blob_read(blob, buffer, Int32(count), 0)
        guard code == SQLITE_OK else {
            buffer.deallocate()
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: connection.map { String(cString: sqlite3_errmsg($0)) })
        }
        return Data(bytesNoCopy: buffer, count: count, deallocator: .custom { pointer, _ in pointer.deallocate() })
    }

    /// The largest chunk `ContentWriter` stores. A recorded raw size outside 1...this is damage,
    /// refused before anything is allocated for it.
    package static let maxRawSize = ContentWriter.defaultChunkSize
}

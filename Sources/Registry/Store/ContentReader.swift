import Dispatch
import Foundation
import GRDB

/// Streams a stored content back: chunk rows in order, decompressed a batch at a time on
/// every core, each checked against the size recorded when it was stored (and, when asked,
/// against its hash), then handed to the caller in order.
struct ContentReader {
    let db: Database
    var verifyHashes = false

    struct ChunkRow {
        var id: Int64
        var hash: Data
        var filter: Int
        var rawSize: Int
        var data: Data
    }

    /// Calls `body` with the content's bytes in order, one chunk at a time.
    func stream(_ contentID: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let ids = try Int64.fetchAll(db, sql: "SELECT chunk_id FROM content_chunks WHERE content_id = ? ORDER BY seq", arguments: [contentID])
        let fetch = try db.cachedStatement(sql: "SELECT id, hash, filter, raw_size, data FROM chunks WHERE id = ?")
        var start = 0
        while start < ids.count {
            let batch = ids[start..<min(start + ContentWriter.batchSize, ids.count)]
            var rows: [ChunkRow] = []
            for id in batch {
                guard let row = try Row.fetchOne(fetch, arguments: [id]) else {
                    throw StoreError.damaged(what: "content \(contentID)", detail: "chunk \(id) is missing")
                }
                rows.append(ChunkRow(id: row[0], hash: row[1], filter: row[2], rawSize: row[3], data: row[4]))
            }
            let verify = verifyHashes
            let decoded = ContentWriter.parallelMap(rows) { row in Result { try Self.decode(row, verify: verify) } }
            for result in decoded {
                let bytes = try result.get()
                try bytes.withUnsafeBytes { try body($0) }
            }
            start += batch.count
        }
    }

    /// The whole content in memory (for small contents: graphs, strings, small files).
    func read(_ contentID: Int64) throws -> [UInt8] {
        var out: [UInt8] = []
        try stream(contentID) { out.append(contentsOf: $0) }
        return out
    }

    /// The largest chunk `ContentWriter` stores. A recorded raw size outside 1...this is damage,
    /// refused before anything is allocated for it.
    static let maxRawSize = ContentWriter.defaultChunkSize

    static func decode(_ row: ChunkRow, verify: Bool) throws -> [UInt8] {
        guard row.rawSize > 0, row.rawSize <= maxRawSize else {
            throw StoreError.damaged(what: "chunk \(row.id)", detail: "its recorded size \(row.rawSize) is not that of a stored chunk (1 to \(maxRawSize) bytes)")
        }
        var raw = [UInt8](repeating: 0, count: row.rawSize)
        let ok: Bool
        switch ChunkFilter(rawValue: row.filter) {
        case .raw:
            ok = row.data.count == row.rawSize
            if ok { raw = [UInt8](row.data) }
        case .lz4:
            ok = row.data.withUnsafeBytes { source in
                raw.withUnsafeMutableBytes { LZ4.decompress(source, rawSize: row.rawSize, into: $0) }
            }
        case nil:
            throw StoreError.damaged(what: "chunk \(row.id)", detail: "unknown filter \(row.filter)")
        }
        guard ok else {
            throw StoreError.damaged(what: "chunk \(row.id)", detail: "its stored bytes do not decode to the \(row.rawSize) bytes recorded")
        }
        if verify {
            let hash = raw.withUnsafeBytes { ContentHash.ofChunk($0) }
            guard Data(hash.bytes) == row.hash else {
                throw StoreError.damaged(what: "chunk \(row.id)", detail: "its bytes no longer match their sha256")
            }
        }
        return raw
    }
}

import RegistryFormat
import Foundation
import GRDB

/// The `contents` table: byte streams made of chunks, addressed by the hash of their chunk
/// list and size.
extension StoreSession {
    /// Checks that a content's address is still the hash of its chunks' addresses and size;
    /// a `StoreError.damaged` otherwise.
    package func checkAddress(contentID: Int64) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT hash, size FROM contents WHERE id = ?", arguments: [contentID]) else {
            throw StoreError.damaged(what: "content \(contentID)", detail: "its row is missing")
        }
        let hashes = try ContentReader(self).chunkList(contentID).map(\.hash)
        let expected = ContentHash.ofContent(chunks: hashes, size: row[1])
        guard Data(expected.bytes) == (row[0] as Data) else {
            throw StoreError.damaged(what: "content \(contentID)", detail: "its chunk list no longer matches its address")
        }
    }

    /// How many chunks the registry holds.
    package func chunkCount() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM chunks") ?? 0
    }
}

import RegistryFormat
import GRDB

/// What gc removed from the tables, before the file is shrunk.
package struct CollectedGarbage: Sendable {
    package var contents = 0
    package var chunks = 0
    package var bytes: Int64 = 0
}

/// Unreferenced contents and chunks: what `gc` deletes.
extension StoreSession {
    /// Drops contents no version refers to and chunks no content refers to. A chunk no content
    /// uses may still be the delta base of one that is used: unused chunks that are nobody's
    /// base are dropped, again until none is left (chains are at most `ContentWriter.maxDepth`).
    /// Chunks leased by a running pull (`PullLeases`) stay; leases of dead processes go first.
    package func deleteUnreferenced() throws -> CollectedGarbage {
        var result = CollectedGarbage()
        try dropExpiredLeases()
        try db.execute(sql: """
            DELETE FROM contents WHERE id NOT IN (
                SELECT content_id FROM tensors WHERE content_id IS NOT NULL
                UNION SELECT content_id FROM files WHERE content_id IS NOT NULL
                UNION SELECT content_id FROM meta_graphs
                UNION SELECT graph_text_id FROM versions WHERE graph_text_id IS NOT NULL)
            """)
        result.contents = db.changesCount
        let unused = """
            FROM chunks WHERE NOT EXISTS (SELECT 1 FROM content_chunks cc WHERE cc.chunk_id = chunks.id)
            AND NOT EXISTS (SELECT 1 FROM chunks d WHERE d.base_id = chunks.id)
            AND NOT EXISTS (SELECT 1 FROM leased_chunks l WHERE l.chunk_id = chunks.id)
            """
        while true {
            result.bytes += try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(stored_size), 0) " + unused) ?? 0
            try db.execute(sql: "DELETE " + unused)
            if db.changesCount == 0 { break }
            result.chunks += db.changesCount
        }
        return result
    }
}

extension RegistryDatabase {
    /// Returns the pages freed by `deleteUnreferenced` to the file system (a full rewrite).
    package func shrink() throws {
        try withoutTransaction { db in
            try db.execute(sql: "VACUUM")
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }
}

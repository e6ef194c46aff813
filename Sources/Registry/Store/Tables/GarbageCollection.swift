import RegistryFormat
import GRDB

/// What gc removed (or, in a dry run, would remove).
package struct CollectedGarbage: Sendable, Equatable {
    package var contents = 0
    package var chunks = 0
    /// Stored bytes of the chunks removed.
    package var bytes: Int64 = 0

    package init() {}

    static func += (total: inout CollectedGarbage, step: CollectedGarbage) {
        total.contents += step.contents
        total.chunks += step.chunks
        total.bytes += step.bytes
    }
}

/// Which notes of migration 0012 a gc step works through: contents that may have lost their
/// last reference (`gc_contents`), chunks that may have lost their last user (`gc_chunks`).
package enum GarbageKind: Sendable {
    case contents, chunks

    var notes: String { self == .contents ? "gc_contents" : "gc_chunks" }

    /// Notes per transaction. A content step deletes at most 64 contents (each noting its
    /// chunks); a chunk step frees at most 32 chunks of at most 1 MiB: 32 chunk pages and their
    /// index pages fit the 2 MiB page cache, so a step does not spill (which would take the
    /// lock that keeps readers out before its commit). Each step is one commit: readers wait
    /// at most one step, and only while it commits.
    var batch: Int { self == .contents ? 64 : 32 }
}

/// Unreferenced contents and chunks: what `gc` deletes. It looks only at what migration 0012's
/// triggers noted (a row that referred to a content went, a content that listed a chunk went,
/// a chunk stored as a delta from another went), so it costs what it frees, not what the
/// registry holds; and it checks every note again in the transaction that deletes, so a push
/// that deduplicated against a noted chunk in the meantime keeps it.
extension StoreSession {
    /// One step of gc: the next `kind.batch` notes after id `after` are settled. Those nothing
    /// uses are deleted with their rows; notes of what is in use are dropped (a later deletion
    /// notes it again). Returns what was removed and the last id settled, or nil when no note
    /// is left after `after`.
    package func deleteUnreferenced(_ kind: GarbageKind, after: Int64) throws -> (removed: CollectedGarbage, last: Int64)? {
        guard let last = try Int64.fetchOne(db, sql: """
            SELECT MAX(id) FROM (SELECT id FROM \(kind.notes) WHERE id > ? ORDER BY id LIMIT ?)
            """, arguments: [after, kind.batch]) else { return nil }
        let range: StatementArguments = [after, last]
        switch kind {
        case .contents: return (try deleteUnreferencedContents(range), last)
        case .chunks: return (try deleteUnusedChunks(range), last)
        }
    }

    /// Contents noted in `range` that no version's tensors, files, meta graphs or graph text
    /// refer to; their `content_chunks` rows go with them (and note their chunks).
    private func deleteUnreferencedContents(_ range: StatementArguments) throws -> CollectedGarbage {
        var removed = CollectedGarbage()
        try db.execute(sql: """
            DELETE FROM contents WHERE id IN (SELECT id FROM gc_contents WHERE id > ? AND id <= ?)
            AND NOT EXISTS (SELECT 1 FROM tensors WHERE tensors.content_id = contents.id)
            AND NOT EXISTS (SELECT 1 FROM files WHERE files.content_id = contents.id)
            AND NOT EXISTS (SELECT 1 FROM meta_graphs WHERE meta_graphs.content_id = contents.id)
            AND NOT EXISTS (SELECT 1 FROM versions WHERE versions.graph_text_id = contents.id)
            AND NOT EXISTS (SELECT 1 FROM versions WHERE versions.graph_extra_id = contents.id)
            """, arguments: range)
        removed.contents = db.changesCount
        try db.execute(sql: "DELETE FROM gc_contents WHERE id > ? AND id <= ?", arguments: range)
        return removed
    }

    /// Chunks noted in `range` that no content lists and no chunk is stored as a delta from.
    /// A chunk whose base goes with it in the same step notes that base again (behind the
    /// cursor: `RegistryDatabase.deleteUnreferenced` makes another pass). A rule that keeps
    /// an unused chunk for now (a remote pull's lease on the chunks it fetched but has not
    /// recorded yet, `PullLeases`) is one more condition on the two statements marked
    /// *deletable*: a chunk it keeps stays noted, for a later gc.
    private func deleteUnusedChunks(_ range: StatementArguments) throws -> CollectedGarbage {
        var removed = CollectedGarbage()
        try db.execute(sql: """
            DELETE FROM gc_chunks WHERE id > ? AND id <= ?
            AND (EXISTS (SELECT 1 FROM content_chunks WHERE content_chunks.chunk_id = gc_chunks.id)
                 OR EXISTS (SELECT 1 FROM chunks WHERE chunks.base_id = gc_chunks.id))
            """, arguments: range)
        // Deletable: every chunk still noted in the range that no running pull leases.
        let freed = try Row.fetchOne(db, sql: """
            SELECT COUNT(*), COALESCE(SUM(stored_size), 0) FROM chunks WHERE id IN (SELECT id FROM gc_chunks WHERE id > ? AND id <= ?)
            AND NOT EXISTS (SELECT 1 FROM leased_chunks WHERE leased_chunks.chunk_id = chunks.id)
            """, arguments: range)!
        (removed.chunks, removed.bytes) = (freed[0], freed[1])
        // Deletable: the same.
        try db.execute(sql: """
            DELETE FROM chunks WHERE id IN (SELECT id FROM gc_chunks WHERE id > ? AND id <= ?)
            AND NOT EXISTS (SELECT 1 FROM leased_chunks WHERE leased_chunks.chunk_id = chunks.id)
            """, arguments: range)
        try db.execute(sql: """
            DELETE FROM gc_chunks WHERE id > ? AND id <= ? AND NOT EXISTS (SELECT 1 FROM chunks WHERE chunks.id = gc_chunks.id)
            """, arguments: range)
        return removed
    }
}

/// gc as a sequence of short transactions, and its dry run.
extension RegistryDatabase {
    /// Deletes every noted content and chunk that nothing uses, a step per transaction
    /// (`GarbageKind.batch`): contents first, which notes their chunks, then the chunks, pass
    /// after pass while one deletes anything (a chunk that was the base of a deleted one is
    /// noted behind the cursor; chains are at most `ContentWriter.maxDepth` deep).
    package func deleteUnreferenced(progress: ((CollectedGarbage) -> Void)? = nil) throws -> CollectedGarbage {
        var total = CollectedGarbage()
        try transaction { try $0.dropExpiredLeases() }  // a dead pull's chunks are garbage again
        for kind in [GarbageKind.contents, .chunks] {
            var deletedInPass: Bool
            repeat {
                deletedInPass = false
                var after = Int64.min
                while let step = try transaction({ try $0.deleteUnreferenced(kind, after: after) }) {
                    total += step.removed
                    after = step.last
                    if step.removed != CollectedGarbage() { deletedInPass = true; progress?(total) }
                }
            } while deletedInPass && kind == .chunks
        }
        return total
    }

    /// What `deleteUnreferenced` would delete now, in one read (nothing is locked or changed).
    package func unreferencedGarbage() throws -> CollectedGarbage {
        try read { try GarbagePreview(db: $0.db).run() }
    }
}

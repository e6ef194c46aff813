import RegistryFormat
import GRDB

/// `gc --dry-run`: what gc would delete now, worked out by reading alone. The same rules as
/// `StoreSession.deleteUnreferenced`, applied to the whole of the notes at once: the noted
/// contents nothing refers to die; a chunk dies when it is noted or listed by a dying content,
/// no surviving content lists it, and every chunk stored as a delta from it dies too; the
/// base of a dying chunk is considered in turn.
struct GarbagePreview {
    let db: Database

    func run() throws -> CollectedGarbage {
        let contents = try Set(Int64.fetchAll(db, sql: """
            SELECT id FROM gc_contents WHERE EXISTS (SELECT 1 FROM contents WHERE contents.id = gc_contents.id)
            AND NOT EXISTS (SELECT 1 FROM tensors WHERE tensors.content_id = gc_contents.id)
            AND NOT EXISTS (SELECT 1 FROM files WHERE files.content_id = gc_contents.id)
            AND NOT EXISTS (SELECT 1 FROM meta_graphs WHERE meta_graphs.content_id = gc_contents.id)
            AND NOT EXISTS (SELECT 1 FROM versions WHERE versions.graph_text_id = gc_contents.id)
            AND NOT EXISTS (SELECT 1 FROM versions WHERE versions.graph_extra_id = gc_contents.id)
            """))
        var pending = try Set(Int64.fetchAll(db, sql: "SELECT id FROM gc_chunks"))
        let listed = try db.cachedStatement(sql: "SELECT chunk_id FROM content_chunks WHERE content_id = ?")
        for content in contents { pending.formUnion(try Int64.fetchAll(listed, arguments: [content])) }

        let dying = try survivorsRemoved(from: try dyingCandidates(pending, contents: contents))
        var removed = CollectedGarbage()
        removed.contents = contents.count
        removed.chunks = dying.count
        let size = try db.cachedStatement(sql: "SELECT stored_size FROM chunks WHERE id = ?")
        for id in dying { removed.bytes += try Int64.fetchOne(size, arguments: [id]) ?? 0 }
        return removed
    }

    /// The candidates (and, in turn, their bases) that exist and that no surviving content lists.
    private func dyingCandidates(_ candidates: Set<Int64>, contents: Set<Int64>) throws -> Set<Int64> {
        let listers = try db.cachedStatement(sql: "SELECT content_id FROM content_chunks WHERE chunk_id = ?")
        let base = try db.cachedStatement(sql: "SELECT id, base_id FROM chunks WHERE id = ?")
        // A chunk a running pull leases stays (a dead pull's lease is dropped by gc itself first).
        let leased = try db.cachedStatement(sql: "SELECT 1 FROM leased_chunks WHERE chunk_id = ?")
        var pending = candidates, dying = Set<Int64>()
        while let id = pending.popFirst() {
            guard !dying.contains(id), let row = try Row.fetchOne(base, arguments: [id]) else { continue }
            guard try Int64.fetchOne(leased, arguments: [id]) == nil else { continue }
            guard try Int64.fetchAll(listers, arguments: [id]).allSatisfy(contents.contains) else { continue }
            dying.insert(id)
            if let baseID: Int64 = row[1], !dying.contains(baseID) { pending.insert(baseID) }
        }
        return dying
    }

    /// `dying` without the chunks a surviving chunk is stored as a delta from (and so on down
    /// their chains), until none is left.
    private func survivorsRemoved(from dying: Set<Int64>) throws -> Set<Int64> {
        let users = try db.cachedStatement(sql: "SELECT id FROM chunks WHERE base_id = ?")
        var dying = dying, changed = true
        while changed {
            changed = false
            for id in dying where try !Int64.fetchAll(users, arguments: [id]).allSatisfy(dying.contains) {
                dying.remove(id)
                changed = true
            }
        }
        return dying
    }
}

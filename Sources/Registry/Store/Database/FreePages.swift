import RegistryFormat
import GRDB

/// The registry file's pages: how many, how many are free (on SQLite's freelist, where later
/// pushes reuse them), and whether free pages can go back to the file system without a rewrite.
package struct PageUsage: Sendable, Equatable {
    package var pageSize: Int64
    package var pages: Int64
    package var freePages: Int64
    /// `auto_vacuum = INCREMENTAL` (registries created since migration 0012, or compacted).
    package var incremental: Bool

    package var freeBytes: Int64 { freePages * pageSize }
    /// What a compacted copy of the file holds.
    package var liveBytes: Int64 { (pages - freePages) * pageSize }
}

extension StoreSession {
    package func pageUsage() throws -> PageUsage {
        PageUsage(pageSize: try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0,
                  pages: try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0,
                  freePages: try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0,
                  incremental: try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") == 2)
    }

    /// One step of incremental vacuum: the last pages of the file move into free ones and the
    /// file is cut by `count` pages (fewer when fewer are free).
    func returnFreePages(_ count: Int) throws {
        try db.execute(sql: "PRAGMA incremental_vacuum(\(count))")
    }
}

extension RegistryDatabase {
    /// Pages handed back per transaction. A step journals the pages it moves, so this bounds
    /// the extra disk a gc uses, and readers wait at most for one step's commit.
    static let returnStepBytes: Int64 = 16 << 20

    /// Hands every free page back to the file system, a step per transaction; nothing on a
    /// registry without incremental vacuum (its free pages wait for pushes, or `compact`).
    package func returnFreePages() throws {
        let usage = try read { try $0.pageUsage() }
        guard usage.incremental, usage.pageSize > 0 else { return }
        let step = Int(max(1, Self.returnStepBytes / usage.pageSize))
        while try transaction({ session in
            guard try session.pageUsage().freePages > 0 else { return false }
            try session.returnFreePages(step)
            return true
        }) {}
    }
}

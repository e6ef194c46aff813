import Foundation
import GRDB
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryStore

/// `gc` leaves alone the chunks a running pull leased, and drops those of a pull whose process
/// is gone (`pull_leases`).
@Suite struct PullLeaseTests {
    @Test func gcKeepsChunksLeasedByALivingPullAndDropsADeadOnes() throws {
        try withRegistry { registry, _ in
            func store(_ byte: UInt8) throws -> Int64 {
                let raw = [UInt8](repeating: byte, count: 4096)
                let hash = raw.withUnsafeBytes { ContentHash.ofChunk($0) }
                return try registry.store.write { try ContentWriter($0).storeChunk(raw, hash: hash) }
            }
            let living = try store(1), dead = try store(2), free = try store(3)
            let lease = try registry.store.write { session -> Int64 in
                let lease = try session.beginLease()
                try session.lease(chunkIDs: [living], lease: lease)
                // A lease of a process that is gone: a pid above the kernel's limit.
                try session.db.execute(sql: "INSERT INTO pull_leases (pid, started, host, created_at) VALUES (?, 1, ?, 0)",
                                       arguments: [Int32.max, FileSystem.host])
                try session.lease(chunkIDs: [dead], lease: session.db.lastInsertedRowID)
                return lease
            }
            func stored() throws -> Set<Int64> { Set(try registry.store.read { try Int64.fetchAll($0.db, sql: "SELECT id FROM chunks") }) }
            _ = try registry.store.deleteUnreferenced()
            let kept = try stored()
            #expect(kept == [living], "gc kept \(kept) of living \(living), dead \(dead), free \(free)")
            #expect(try registry.store.read { try Int.fetchOne($0.db, sql: "SELECT COUNT(*) FROM pull_leases") } == 1)
            try registry.store.write { try $0.endLease(lease) }
            _ = try registry.store.deleteUnreferenced()
            #expect(try stored().isEmpty)
        }
    }
}

import Foundation
import GRDB
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryStore

/// gc frees what no version uses and nothing else, its pages are handed back or reused, its
/// dry run tells exactly what it will do, a registry from before migration 0012 is collected
/// and then converted by `compact`, which leaves everything pulling as before.
@Suite struct GarbageCollectionTests {
    /// `megabytes` MiB of distinct random float32 as tensors of 1 MiB (plus a step counter).
    static func tensors(megabytes: Int, seed: UInt64) -> [NamedTensor] {
        var rng = SplitMix64(seed: seed)
        return (0..<megabytes).map { k in
            NamedTensor(name: "layer_\(k)/kernel", floats: (0..<(1 << 18)).map { _ in Float(rng.uniform(-1, 1)) }, shape: [512, 512])
        }
    }

    static func save(_ registry: ModelRegistry, run: String, step: Int64 = 1, _ tensors: [NamedTensor], now: Date = Date()) throws {
        _ = try registry.saveCheckpoint(run: run, step: step, tensors: tensors, metaGraphs: [], now: now)
    }

    static func chunkCount(_ path: String) throws -> Int {
        try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM chunks") ?? -1 }
    }

    /// push → rm → gc → push of the same size: the file does not grow, whether gc left the
    /// freed pages in the file (`keepFree`) or handed them back to the file system.
    @Test func freedPagesAreReusedOrHandedBack() throws {
        try withRegistry { registry, tmp in
            let path = tmp.path + "/registry.db"
            _ = try registry.push(savedModel: Fixtures.casePath("keras_tf2"), model: "keep")
            let small = fileSize(path)
            try Self.save(registry, run: "a", Self.tensors(megabytes: 8, seed: 1))
            let full = fileSize(path)
            #expect(full - small > 6 << 20, "8 MiB of random floats stored in \(full - small) bytes")

            _ = try registry.removeModel("a")
            let kept = try registry.collectGarbage(keepFree: true)
            #expect(kept.chunksRemoved == 8 && kept.bytesFreed > 6 << 20, "\(kept)")
            #expect(kept.bytesReturned == 0 && kept.bytesReusable >= kept.bytesFreed && fileSize(path) == full, "\(kept)")
            try Self.save(registry, run: "b", Self.tensors(megabytes: 8, seed: 2))
            #expect(fileSize(path) <= full, "a push of the same size into the freed pages grew the file \(full) -> \(fileSize(path))")

            _ = try registry.removeModel("b")
            let returned = try registry.collectGarbage()
            #expect(returned.incrementalVacuum && returned.bytesReusable == 0, "\(returned)")
            #expect(returned.bytesReturned >= returned.bytesFreed && fileSize(path) <= small, "\(returned), \(small) before the model")
            try Self.save(registry, run: "c", Self.tensors(megabytes: 8, seed: 3))
            #expect(fileSize(path) <= full, "the file grew past its size with one such model: \(full) -> \(fileSize(path))")

            #expect(try registry.verify().problems.isEmpty)
            let loaded = try registry.loadTensors(VersionReference(model: "c"))
            #expect(Self.tensors(megabytes: 8, seed: 3).allSatisfy { loaded[$0.name] == $0 })
        }
    }

    /// Shared chunks, delta chains (a removed checkpoint's chunks that kept ones are stored as
    /// deltas from), a chunk no content lists (an abandoned remote pull's): the dry run
    /// reports exactly what gc then removes, and changes nothing itself.
    @Test func dryRunReportsExactlyWhatGCRemoves() throws {
        try withRegistry { registry, tmp in
            let path = tmp.path + "/registry.db"
            _ = try registry.push(savedModel: Fixtures.casePath("large_weights"), model: "w")
            _ = try registry.push(savedModel: Fixtures.casePath("large_weights"), model: "w2")
            var rng = SplitMix64(seed: 7)
            var weights = (0..<600_000).map { _ in Float(rng.uniform(-0.1, 0.1)) }
            var saved: [[Float]] = []
            for step in 1...6 {
                weights = weights.map { $0 - Float(rng.uniform(-1e-4, 1e-4)) }
                saved.append(weights)
                try Self.save(registry, run: "r", step: Int64(step), [NamedTensor(name: "k", floats: weights, shape: [600_000])])
            }
            let orphan = [UInt8](repeating: 7, count: 1000)
            let orphanHash = orphan.withUnsafeBytes { ContentHash.ofChunk($0) }
            _ = try registry.store.write { session in try ContentWriter(session).storeChunk(orphan, hash: orphanHash) }
            let deltas = try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM chunks WHERE base_id IS NOT NULL") ?? 0 }
            #expect(deltas >= 5, "checkpoints 2-6 are stored as deltas")

            _ = try registry.removeModel("w")
            for n in [1, 2, 4] as [Int64] { _ = try registry.remove(VersionReference(model: "r", selector: .number(n))) }
            let bytes = fileSize(path), chunks = try Self.chunkCount(path)
            let dry = try registry.collectGarbage(dryRun: true)
            let chunksAfterDryRun = try Self.chunkCount(path)
            #expect(dry.dryRun && fileSize(path) == bytes && chunksAfterDryRun == chunks, "the dry run changed the registry")
            #expect(dry.chunksRemoved >= 1 && dry.contentsRemoved >= 3, "\(dry)")

            let real = try registry.collectGarbage()
            #expect((real.contentsRemoved, real.chunksRemoved, real.bytesFreed) == (dry.contentsRemoved, dry.chunksRemoved, dry.bytesFreed),
                    "dry run \(dry), gc \(real)")
            #expect(try Self.chunkCount(path) == chunks - real.chunksRemoved)
            let again = try registry.collectGarbage()
            #expect(again.chunksRemoved == 0 && again.contentsRemoved == 0, "\(again)")
            #expect(try registry.store.write { session in try !ContentWriter(session).hasChunk(orphanHash) }, "the unused chunk stayed")

            #expect(try registry.verify().problems.isEmpty)
            for n in [3, 5, 6] {
                let loaded = try registry.loadTensors(VersionReference(model: "r", selector: .number(Int64(n))))
                #expect(loaded["k"]?.floats == saved[n - 1], "checkpoint \(n)")
            }
            let out = tmp.path + "/w2"
            _ = try registry.pull(VersionReference(model: "w2"), to: out)
            #expect(try fileBytes(out + "/variables/variables.data-00000-of-00001")
                    == fileBytes(Fixtures.casePath("large_weights") + "/variables/variables.data-00000-of-00001"))
        }
    }

    /// A registry from before migration 0012 (no notes, auto_vacuum = NONE, garbage and an
    /// unused chunk already in it): the migration notes the garbage, gc removes it and leaves
    /// the pages for pushes (saying how compact converts it), and compact converts it.
    @Test func anEarlierRegistryIsCollectedThenConvertedByCompact() throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path + "/registry.db"
            do {
                let registry = try ModelRegistry(path: path)
                _ = try registry.push(savedModel: Fixtures.casePath("keras_tf2"), model: "k")
                _ = try registry.push(savedModel: Fixtures.casePath("large_weights"), model: "w")
                _ = try registry.removeModel("w")
            }
            try Self.rewriteAsBeforeMigration(path)
            let registry = try ModelRegistry(path: path)
            let noted = try registry.store.read { session in try Int.fetchOne(session.db, sql: "SELECT COUNT(*) FROM gc_contents") ?? 0 }
            #expect(noted > 0, "the migration notes the contents of the removed model")

            let collected = try registry.collectGarbage()
            #expect(collected.contentsRemoved > 0 && collected.chunksRemoved > 1 && collected.bytesFreed > 4 << 20, "\(collected)")
            #expect(!collected.incrementalVacuum && collected.bytesReturned == 0 && collected.bytesReusable >= collected.bytesFreed, "\(collected)")

            let before = fileSize(path)
            let compacted = try registry.compact()
            #expect(compacted.fileBytesBefore == before && compacted.fileBytesAfter <= before - collected.bytesFreed, "\(compacted)")
            let usage = try registry.store.read { try $0.pageUsage() }
            #expect(usage.incremental && usage.freePages == 0 && usage.pageSize == 32768, "\(usage)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == ["registry.db"])

            // The same object goes on working on the new file.
            _ = try registry.push(savedModel: Fixtures.casePath("seed_mlp_training"), model: "s")
            #expect(try registry.list().map(\.model) == ["k", "s"])
            #expect(try registry.verify().problems.isEmpty)
            let out = tmp.path + "/k"
            _ = try registry.pull(VersionReference(model: "k"), to: out)
            #expect(try fileBytes(out + "/saved_model.pb") == fileBytes(Fixtures.casePath("keras_tf2") + "/saved_model.pb"))
        }
    }

    /// Puts a registry back as before 0012: no notes, triggers or index, auto_vacuum = NONE (a
    /// VACUUM rewrites it so), 0012 not applied; plus a chunk no content lists.
    static func rewriteAsBeforeMigration(_ path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try undoMigration0012(db)
            try db.execute(sql: "INSERT INTO chunks (hash, filter, raw_size, stored_size, data) VALUES (randomblob(32), 0, 5, 5, x'0102030405')")
        }
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA auto_vacuum = NONE")
            try db.execute(sql: "VACUUM")
        }
        #expect(try queue.read { try Int.fetchOne($0, sql: "PRAGMA auto_vacuum") } == 0)
    }

    /// Takes out what migration 0012 added (its notes, triggers and indexes) and its record,
    /// so that the next open applies it again.
    static func undoMigration0012(_ db: Database) throws {
        for trigger in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_release_%'") {
            try db.execute(sql: "DROP TRIGGER \(trigger)")
        }
        for statement in ["DROP TABLE gc_contents", "DROP TABLE gc_chunks", "DROP INDEX versions_by_graph_text",
                          "DROP INDEX versions_by_graph_extra", "DELETE FROM grdb_migrations WHERE identifier = '0012_incremental_vacuum'"] {
            try db.execute(sql: statement)
        }
    }
}

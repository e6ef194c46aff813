import Foundation
import GRDB
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryStore

/// Unknown top-level fields of a SavedModel (none in TensorFlow's own files) are a content like
/// every other byte stream: chunked, deduplicated, counted in a push's statistics, checked by
/// `verify`, written back byte for byte; a registry that kept them raw in the version row is
/// migrated (issue 21, item 14: a 100 MB field grew the file by 101 MiB on each identical push
/// while push reported "stored 0 B new").
@Suite struct GraphExtraTests {
    /// 2 MiB of an unknown length-delimited field (number 15) after the graphs.
    static let extra: [UInt8] = {
        var payload = [UInt8](repeating: 0, count: 2 << 20)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in payload.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            payload[i] = UInt8(truncatingIfNeeded: state >> 56)
        }
        var field: [UInt8] = [15 << 3 | 2]
        ByteWriter.appendVarint(UInt64(payload.count), to: &field)
        return field + payload
    }()

    /// A copy of `seed_mlp_training` whose saved_model.pb ends with `extra`.
    static func modelWithExtra(in folder: String) throws -> String {
        let target = folder + "/model"
        try FileManager.default.copyItem(atPath: Fixtures.path("seed_mlp_training"), toPath: target)
        let graph = target + "/saved_model.pb"
        try Data(try fileBytes(graph) + extra).write(to: URL(fileURLWithPath: graph))
        return target
    }

    @Test func unknownFieldsAreAChunkedDeduplicatedContent() throws {
        try withRegistry { registry, tmp in
            let folder = try Self.modelWithExtra(in: tmp.path)
            let first = try registry.push(savedModel: folder, model: "m")
            #expect(first.statistics.rawBytes >= Int64(Self.extra.count), "\(first.statistics)")
            #expect(first.statistics.newChunks >= 3, "\(first.statistics)")
            let size = registry.store.fileBytes
            let second = try registry.push(savedModel: folder, model: "m")
            #expect(second.statistics.storedBytes == 0 && second.statistics.newChunks == 0, "\(second.statistics)")
            #expect(second.statistics.dedupBytes >= Int64(Self.extra.count), "\(second.statistics)")
            let grown = registry.store.fileBytes - size
            #expect(grown < 256 << 10, "an identical push grew the file by \(grown) bytes")

            for version in [Int64(1), 2] {
                let out = tmp.path + "/out-\(version)"
                _ = try registry.pull(VersionReference(model: "m", selector: .number(version)), to: out)
                #expect(try fileBytes(out + "/saved_model.pb") == fileBytes(folder + "/saved_model.pb"))
            }
            #expect(try registry.verify().problems.isEmpty)

            // Damage in the stored field is found by verify and refused by pull.
            let queue = try DatabaseQueue(path: registry.path)
            try queue.write { db in
                let chunk = try Int64.fetchOne(db, sql: """
                    SELECT chunk_id FROM content_chunks WHERE content_id = (SELECT graph_extra_id FROM versions WHERE number = 1) AND seq = 1
                    """)!
                try db.execute(sql: "UPDATE chunks SET data = zeroblob(length(data)), filter = 0, raw_size = length(data) WHERE id = ?",
                               arguments: [chunk])
            }
            let problems = try registry.verify().problems
            #expect(Set(problems.map(\.item)) == ["unknown fields of saved_model.pb"] && problems.count == 2, "\(problems)")
            #expect(throws: StoreError.self) { try registry.pull(VersionReference(model: "m"), to: tmp.path + "/damaged") }
        }
    }

    /// A registry from before `0011_graph_extra_content`, with the field raw in `versions.graph_extra`:
    /// opening it moves the bytes into a content and drops the column; the pull is unchanged.
    @Test func aRegistryWithRawFieldsIsMigrated() throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path + "/registry.db"
            let folder = try Self.modelWithExtra(in: tmp.path)
            do { _ = try ModelRegistry(path: path).push(savedModel: folder, model: "m") }
            // Back to the earlier schema: the raw column holds the bytes, 0011 was never applied
            // (nor 0012, whose gc triggers and index name the column 0011 adds).
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                try GarbageCollectionTests.undoMigration0012(db)
                try db.execute(sql: "ALTER TABLE versions ADD COLUMN graph_extra BLOB")
                try db.execute(sql: "UPDATE versions SET graph_extra = ?", arguments: [Data(Self.extra)])
                try db.execute(sql: "ALTER TABLE versions DROP COLUMN graph_extra_id")
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: [GraphExtraMigration.identifier])
            }
            try queue.close()
            let before = try ModelRegistry(path: path)  // migrates
            _ = try before.pull(VersionReference(model: "m"), to: tmp.path + "/out")
            #expect(try fileBytes(tmp.path + "/out/saved_model.pb") == fileBytes(folder + "/saved_model.pb"))
            let columns = try DatabaseQueue(path: path).read { db in try db.columns(in: "versions").map(\.name) }
            #expect(columns.contains("graph_extra_id") && !columns.contains("graph_extra"), "\(columns)")
            #expect(try before.verify().problems.isEmpty)
        }
    }
}

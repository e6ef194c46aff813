import Foundation
import GRDB
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryRemote
@testable import RegistryStore

/// A push hashes the packs its version travels in while it imports (`PackDigester`), so that
/// recording the version's digest reads nothing back. The digest it records must be the one
/// computed from the stored rows alone, on TensorFlow's files, on checkpoints whose chunks
/// come from several shards and on tensors handed over by `registry train`; and a chunk read
/// again from a file that changed since is never hashed as if it had not.
@Suite struct PackDigesterTests {
    /// The digest recorded for each version, then the same computed again from the rows
    /// alone, with the `packs` table and the digests emptied first.
    static func recordedAndRecomputed(_ registry: ModelRegistry) throws -> [(recorded: String, recomputed: String)] {
        let recorded = try registry.store.read { session in
            try Row.fetchAll(session.db, sql: "SELECT id, digest FROM versions ORDER BY id").map { row -> (Int64, String) in (row[0], row[1]) }
        }
        try registry.store.write { session in
            try session.db.execute(sql: "DELETE FROM packs; UPDATE versions SET digest = NULL")
        }
        return try registry.store.read { session in
            try recorded.map { id, digest in
                (digest, try VersionDigest.of(try session.versions(ids: [id]).first!, session: session))
            }
        }
    }

    /// The packs a version's manifest names that the push left in the table.
    static func recordedPacks(of reference: VersionReference, _ registry: ModelRegistry) throws -> (named: Int, recorded: Int) {
        try registry.store.read { session in
            let image = try VersionImage.build(try session.resolve(reference), session: session, remember: false)
            let recorded = try image.packs.filter { try session.pack(headerDigest: $0.headerDigest) != nil }.count
            return (image.packs.count, recorded)
        }
    }

    @Test(arguments: ["seed_mlp_training", "large_weights", "many_tensors_multiblock", "partitioned_variables", "dtypes_zoo", "keras_tf2"])
    func aSavedModelsDigestIsTheOneItsRowsGive(fixture: String) throws {
        try withRegistry { registry, _ in
            let pushed = try registry.push(savedModel: Fixtures.path(fixture), model: "m")
            let named = try Self.recordedPacks(of: VersionReference(model: "m", selector: .number(pushed.version)), registry)
            #expect(named.recorded == named.named, "\(fixture): the push hashed \(named.recorded) of \(named.named) packs")
            let tableRows = try registry.store.read { session in try Int.fetchOne(session.db, sql: "SELECT COUNT(*) FROM packs") ?? 0 }
            #expect(tableRows == named.named, "\(fixture): \(tableRows) pack rows for \(named.named) packs")
            for pair in try Self.recordedAndRecomputed(registry) {
                #expect(pair.recorded == pair.recomputed, "\(fixture)")
            }
        }
    }

    /// A graph's unknown fields are stored before the meta graphs but travel in the config:
    /// the packs the push guessed around them may be wrong, the digest may not.
    @Test func aGraphWithUnknownFieldsStillGetsTheDigestItsRowsGive() throws {
        try withRegistry { registry, tmp in
            _ = try registry.push(savedModel: try GraphExtraTests.modelWithExtra(in: tmp.path), model: "m")
            for pair in try Self.recordedAndRecomputed(registry) { #expect(pair.recorded == pair.recomputed) }
        }
    }

    /// 24 MiB over three shards, pushed twice as checkpoints of one run (the second a delta
    /// whose unchanged packs are known already), then two `registry train` saves of 20 MiB
    /// handed over in memory: many packs, every digest the one the rows give.
    @Test func checkpointsAndTrainingSavesGetTheDigestsTheirRowsGive() throws {
        try withRegistry { registry, tmp in
            var rng = SeededGenerator(seed: 19)
            func random(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) } }
            let first = tmp.path + "/a"
            let second = tmp.path + "/b"
            var tensors: [(String, [UInt8])] = (0..<6).map { ("w\($0)", random(4 << 20)) }
            for (folder, change) in [(first, false), (second, true)] {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                if change { tensors[3].1 = random(4 << 20) }
                let writer = try BundleWriter(prefix: folder + "/model.ckpt-1", header: BundleHeader(numShards: 3))
                for (index, (name, bytes)) in tensors.enumerated() {
                    _ = try writer.add(key: Array(name.utf8), dtype: .float32, shape: [Int64(bytes.count / 4)], bytes: bytes, shard: Int32(index % 3))
                }
                _ = try writer.finish()
                _ = try registry.push(checkpointFolder: folder + "/model.ckpt-1", run: "run")
            }
            let delta = try Self.recordedPacks(of: VersionReference(model: "run", selector: .number(2)), registry)
            #expect(delta.named >= 2 && delta.recorded == delta.named, "\(delta)")
            for step in [Int64(1), 2] {
                let saved = (0..<5).map { NamedTensor(name: "t\($0)", dtype: .float32, shape: [1 << 20], bytes: random(4 << 20)) }
                _ = try registry.saveCheckpoint(run: "trained", step: step, tensors: saved, metaGraphs: [])
            }
            let pairs = try Self.recordedAndRecomputed(registry)
            #expect(pairs.count == 4)
            for pair in pairs { #expect(pair.recorded == pair.recomputed) }
        }
    }

    /// A chunk is read again from its file only as it was: a changed or shortened file says no.
    @Test func aChunkReadAgainMustMatchItsFirstCRC() throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path + "/data"
            let original = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try Data(original).write(to: URL(fileURLWithPath: path))
            let file = try ReadableFile(path: path)
            let chunk = CommittedChunk(hash: ContentHash(bytes: [UInt8](repeating: 0, count: 32)),
                                       bytes: .file(file, offset: 1024, count: 2048, crc32c: CRC32C.checksum(original[1024..<3072])))
            var scratch: [UInt8] = []
            var seen: [UInt8] = []
            #expect(chunk.withRawBytes(scratch: &scratch) { seen = Array($0) })
            #expect(seen == Array(original[1024..<3072]))

            var changed = original
            changed[2000] ^= 1
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.write(contentsOf: Data(changed))
            try handle.close()
            #expect(!chunk.withRawBytes(scratch: &scratch) { _ in Issue.record("a changed chunk was handed on") })

            try FileManager.default.removeItem(atPath: path)
            try Data(original.prefix(2000)).write(to: URL(fileURLWithPath: path))
            let shortened = CommittedChunk(hash: chunk.hash, bytes: .file(try ReadableFile(path: path), offset: 1024, count: 2048, crc32c: 0))
            #expect(!shortened.withRawBytes(scratch: &scratch) { _ in Issue.record("bytes past the end were handed on") })
        }
    }
}

import Foundation
import GRDB
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryStore

/// A folder of checkpoints pushed in one go reads each delta base back from the file it was
/// imported from (`RawChunkSources`) instead of decoding its chain from the store: the rows it
/// stores must be the ones the chain gives, and bytes that no longer hash to the base's address
/// must never stand for it.
@Suite struct RawChunkSourcesTests {
    /// Three checkpoints of six 2 MiB float32 tensors, each step a small change of every
    /// element (so that every chunk is a delta candidate), as a CheckpointManager folder.
    static func writeRun(in folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var rng = SeededGenerator(seed: 7)
        var tensors = (0..<6).map { _ in (0..<(1 << 19)).map { _ in Float.random(in: -1...1, using: &rng) } }
        var names: [String] = []
        for step in 1...3 {
            if step > 1 { tensors = tensors.map { $0.map { $0 + Float.random(in: -1e-3...1e-3, using: &rng) } } }
            let prefix = "model.ckpt-\(step)"
            let writer = try BundleWriter(prefix: folder + "/" + prefix, header: BundleHeader(numShards: 1))
            for (index, values) in tensors.enumerated() {
                _ = try writer.add(key: Array("w\(index)".utf8), dtype: .float32, shape: [Int64(values.count)],
                                   bytes: values.withUnsafeBytes { Array($0) }, shard: 0)
            }
            _ = try writer.finish()
            names.append(prefix)
        }
        let state = "model_checkpoint_path: \"\(names.last!)\"\n" + names.map { "all_model_checkpoint_paths: \"\($0)\"\n" }.joined()
        try state.write(toFile: folder + "/checkpoint", atomically: true, encoding: .utf8)
    }

    /// Each chunk row as content, not as row ids: address, filter, sizes, depth and base address.
    static func chunkRows(_ registry: ModelRegistry) throws -> [String] {
        try registry.store.read { session in
            try Row.fetchAll(session.db, sql: """
                SELECT hex(c.hash), c.filter, c.raw_size, c.stored_size, c.depth, hex(b.hash)
                FROM chunks c LEFT JOIN chunks b ON b.id = c.base_id ORDER BY c.hash
                """).map { "\($0[0] as String) \($0[1] as Int) \($0[2] as Int) \($0[3] as Int) \($0[4] as Int) \(($0[5] as String?) ?? "-")" }
        }
    }

    /// The folder pushed in one go (bases read back from the files) stores exactly the rows
    /// that pushing its checkpoints one by one (bases decoded from the store) stores.
    @Test func aFolderPushStoresTheRowsItsChainsWouldGive() throws {
        try withTemporaryDirectory { tmp in
            let folder = tmp.path + "/run"
            try Self.writeRun(in: folder)
            let together = try ModelRegistry(path: tmp.path + "/together.db")
            let pushed = try together.push(checkpointFolder: folder, run: "run")
            #expect(pushed.count == 3)
            let deltas = pushed.dropFirst().map(\.statistics.deltaChunks)
            #expect(deltas.allSatisfy { $0 > 0 }, "deltas per checkpoint: \(deltas)")
            let apart = try ModelRegistry(path: tmp.path + "/apart.db")
            for step in 1...3 { _ = try apart.push(checkpointFolder: folder + "/model.ckpt-\(step)", run: "run") }
            #expect(try Self.chunkRows(together) == Self.chunkRows(apart))
            #expect(try together.verify().problems.isEmpty)
            let out = tmp.path + "/out"
            _ = try together.pull(VersionReference(model: "run", selector: .number(3)), to: out)
            #expect(try fileBytes(out + "/model.ckpt-3.data-00000-of-00001") == fileBytes(folder + "/model.ckpt-3.data-00000-of-00001"))
        }
    }

    /// A base remembered from a file that changed since is not used as the base, even when the
    /// change kept its crc32c: the chunk is stored whole and reads back as written; the same
    /// base read back intact gives a delta.
    @Test func aBaseWhoseFileChangedIsNotUsed() throws {
        try withRegistry { registry, tmp in
            var rng = SeededGenerator(seed: 11)
            let base = (0..<(1 << 18)).map { _ in Float.random(in: -1...1, using: &rng) }.withUnsafeBytes { Array($0) }
            var next = base
            for index in stride(from: 0, to: next.count, by: 4) { next[index] ^= 1 }
            let path = tmp.path + "/base.data"
            try Data(base).write(to: URL(fileURLWithPath: path))
            let file = try ReadableFile(path: path)
            let baseHash = base.withUnsafeBytes { ContentHash.ofChunk($0) }
            var changed = base
            changed[100] ^= 0xFF
            for intact in [true, false] {
                if !intact {
                    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                    try handle.write(contentsOf: Data(changed))
                    try handle.close()
                }
                let (stored, baseID) = try registry.store.write { session -> ([UInt8], Int64?) in
                    let writer = ContentWriter(session)
                    let baseContent = try writer.store(base, dtype: .float32)
                    let sources = RawChunkSources()
                    // The crc32c of what the file holds now, as if the change had kept it: only
                    // the address may decide.
                    sources.remember(CommittedChunk(hash: baseHash, bytes: .file(file, offset: 0, count: base.count,
                                                                                 crc32c: CRC32C.checksum(intact ? base : changed))))
                    writer.rawSources = sources
                    let content = try writer.store(next, dtype: .float32, base: baseContent)
                    let row = try Row.fetchOne(session.db, sql: """
                        SELECT c.base_id FROM content_chunks cc JOIN chunks c ON c.id = cc.chunk_id WHERE cc.content_id = ?
                        """, arguments: [content])
                    return (try ContentReader(session).read(content), row?[0])
                }
                #expect(stored == next)
                #expect((baseID != nil) == intact, intact ? "the intact base was not used" : "a changed file stood for the base")
                // Start the next round from a store without the second chunk.
                try registry.store.write { session in
                    try session.db.execute(sql: "DELETE FROM content_chunks; DELETE FROM contents; DELETE FROM chunks")
                }
            }
        }
    }
}

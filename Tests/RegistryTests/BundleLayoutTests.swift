import Foundation
import GRDB
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryStore

/// A bundle's tensors must lie as TensorFlow writes them: within a shard no two overlap, and
/// they end where their sizes add up to. A push refuses any other layout, a pull refuses to
/// write one from tampered rows (an offset of 2^43 made `pull -o` create an 8 TiB sparse file)
/// and `verify` reports it (issue 21, item 7). (A header's 65,536 shards exporting one data
/// file at a time, item 16, is `CLISecurityTests`.)
@Suite struct BundleLayoutTests {
    /// Rewrites the stored entry of tensor `name` in every version (the bytes an export trusts,
    /// and the columns derived from them).
    static func tamper(_ path: String, tensor name: String, _ change: (inout BundleEntry) -> Void) throws {
        try DatabaseQueue(path: path).write { db in
            for row in try Row.fetchAll(db, sql: "SELECT id, key, entry FROM tensors WHERE name = ?", arguments: [name]) {
                var entry = try BundleEntry(key: [UInt8](row["key"] as Data), encodedValue: [UInt8](row["entry"] as Data), file: "test")
                change(&entry)
                try db.execute(sql: "UPDATE tensors SET entry = ?, offset = ?, size = ? WHERE id = ?",
                               arguments: [Data(entry.encodedValue), entry.offset, entry.size, row["id"] as Int64])
            }
        }
    }

    /// The seed model's tensors in data-file order.
    static var seedEntries: [BundleEntry] {
        get throws {
            try BundleReader(prefix: Fixtures.path("seed_mlp_training") + "/variables/variables").index.entries
                .sorted { $0.offset < $1.offset }
        }
    }

    /// Pull must refuse before writing anything, and verify must name the version.
    static func expectRefusedAndReported(_ registry: ModelRegistry, _ tmp: TemporaryDirectory, detail: String) throws {
        let target = tmp.path + "/out"
        do {
            _ = try registry.pull(VersionReference(model: "m"), to: target)
            Issue.record("a version with a tampered layout was exported")
        } catch let error as StoreError {
            guard case .damaged(let what, let reported) = error else { Issue.record("expected damaged, got \(error)"); return }
            #expect(what == "the tensor index of m:1" && reported.contains(detail), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: target))
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { $0.hasPrefix(".out") }.isEmpty, "staging left behind")
        let report = try registry.verify()
        #expect(report.problems.map(\.item) == ["tensor index"], "\(report.problems)")
        #expect(report.problems.first?.detail.contains(detail) == true, "\(report.problems)")
    }

    @Test func aTamperedOffsetOf2To43IsNotExportedAsASparseFile() throws {
        try withRegistry { registry, tmp in
            _ = try registry.push(savedModel: Fixtures.path("seed_mlp_training"), model: "m")
            let last = try #require(try Self.seedEntries.last)
            try Self.tamper(registry.path, tensor: last.displayName) { $0.offset = 1 << 43 }
            try Self.expectRefusedAndReported(registry, tmp, detail: "reach byte \((Int64(1) << 43) + last.size)")
        }
    }

    @Test func overlappingStoredTensorsAreRefused() throws {
        try withRegistry { registry, tmp in
            _ = try registry.push(savedModel: Fixtures.path("seed_mlp_training"), model: "m")
            let entries = try Self.seedEntries.filter { $0.size >= 64 }
            // The second tensor now starts inside the first.
            try Self.tamper(registry.path, tensor: entries[1].displayName) { $0.offset = entries[0].offset + 16 }
            try Self.expectRefusedAndReported(registry, tmp, detail: "overlap")
        }
    }

    /// A copy of `seed_mlp_training` whose index says `change`d things; the data file as given.
    static func craftedModel(in tmp: TemporaryDirectory, data: (([UInt8]) -> [UInt8])? = nil,
                             _ change: (inout BundleIndex) -> Void) throws -> String {
        let folder = tmp.path + "/model"
        try FileManager.default.copyItem(atPath: Fixtures.path("seed_mlp_training"), toPath: folder)
        let prefix = folder + "/variables/variables"
        var index = try BundleIndex.decode(try fileBytes(prefix + ".index"), file: "index")
        change(&index)
        try Data(index.encode()).write(to: URL(fileURLWithPath: prefix + ".index"))
        if let data {
            let shard = prefix + ".data-00000-of-00001"
            try Data(data(try fileBytes(shard))).write(to: URL(fileURLWithPath: shard))
        }
        return folder
    }

    @Test func aPushWithAGapBetweenTensorsIsRefused() throws {
        try withRegistry { registry, tmp in
            let last = try #require(try Self.seedEntries.last)
            // The last tensor moved 4 KiB further, its bytes with it: every crc still matches.
            let folder = try Self.craftedModel(in: tmp, data: { bytes in
                Array(bytes[..<Int(last.offset)]) + [UInt8](repeating: 0, count: 4096) + bytes[Int(last.offset)...]
            }) { index in
                let i = index.entries.firstIndex { $0.key == last.key }!
                index.entries[i].offset += 4096
            }
            do {
                _ = try registry.push(savedModel: folder, model: "m")
                Issue.record("a bundle with a gap was pushed")
            } catch FormatError.corrupt(let file, _, let detail) {
                #expect(file.hasSuffix("variables/variables.index") && detail.contains("without gaps"), "\(file): \(detail)")
            }
            #expect(try registry.list().isEmpty)
        }
    }

    @Test func aPushWithOverlappingTensorsIsRefused() throws {
        try withRegistry { registry, tmp in
            // A second name for the bytes of an existing tensor: one stored byte would stand for two.
            let folder = try Self.craftedModel(in: tmp) { index in
                var copy = index.entries.first { $0.size >= 64 }!
                copy.key = Array("zz_alias_of_another_tensor".utf8)
                index.entries.append(copy)
                index.entries.sort { $0.key.lexicographicallyPrecedes($1.key) }
            }
            do {
                _ = try registry.push(savedModel: folder, model: "m")
                Issue.record("a bundle with overlapping tensors was pushed")
            } catch FormatError.corrupt(_, let entry, let detail) {
                #expect(detail.contains("overlap"), "\(String(describing: entry)): \(detail)")
            }
            #expect(try registry.list().isEmpty)
        }
    }

    /// Every TensorFlow-written bundle of the fixtures packs its tensors (else the rule would
    /// refuse real models).
    @Test func everyFixtureBundleIsPacked() throws {
        var checked = 0
        for name in Fixtures.savedModelCases {
            let model = try SavedModelDirectory.open(Fixtures.casePath(name))
            if let variables = model.variables { try BundleLayout.check(variables.index.entries, file: name); checked += 1 }
        }
        for folder in Fixtures.checkpointFolders {
            let checkpoints = try CheckpointFolder.open(Fixtures.path(folder))
            for checkpoint in checkpoints.checkpoints { try BundleLayout.check(checkpoint.bundle.index.entries, file: folder); checked += 1 }
        }
        #expect(checked >= 10, "only \(checked) bundles checked")
    }
}

import Foundation
import Registry
import Testing
import TestSupport

/// `--json` of every verb decoded into the library's own `Codable` result types (so a field the
/// CLI renames or drops fails here), with the exact statistics of pushing the fixtures.
@Suite struct ResultDecodingTests {
    @Test func pushPullAndQueriesDecodeIntoTheLibrarysTypes() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let seed = Fixtures.casePath("seed_mlp_train_and_serve")

        // The founding example into an empty registry: 26 chunks (21 tensors, 2 meta graphs,
        // 3 files), 255,718 bytes in all, 76,108 of them tensors, stored in 103,209.
        let first = try cli.decode(PushResult.self, "push", seed, "seed", "--alias", "prod")
        #expect(first.model == "seed" && first.version == 1 && first.tensors == 21 && first.files == 3)
        #expect(first.tensorBytes == 76_108)
        var expected = StoreStatistics()
        expected.rawBytes = 255_718
        expected.storedBytes = 103_209
        expected.newChunks = 26
        #expect(first.statistics == expected)
        // The same folder again costs nothing: every chunk is already stored.
        let again = try cli.decode(PushResult.self, "push", seed, "seed")
        expected.storedBytes = 0
        expected.newChunks = 0
        expected.reusedChunks = 26
        expected.dedupBytes = 255_718
        #expect(again.version == 2 && again.statistics == expected)

        // A Saver folder: three checkpoints, each 112 bytes of tensors and a 22,387-byte .meta
        // that the second and third share with the first.
        let saver = try cli.decode([PushResult].self, "push", Fixtures.path("saver_checkpoints/plain"), "saver")
        #expect(saver.map(\.version) == [1, 2, 3])
        #expect(saver.map(\.tensorBytes) == [112, 112, 112])
        #expect(saver.map(\.statistics.rawBytes) == [22_499, 22_499, 22_499])
        #expect(saver.map(\.statistics.dedupBytes) == [0, 22_387, 22_387])
        #expect(saver.map(\.statistics.newChunks) == [6, 5, 5])

        let pulled = try cli.decode(PullResult.self, "pull", "seed@prod", "-o", cli.tmp.path + "/out")
        #expect(pulled.model == "seed" && pulled.version == 1 && pulled.tagSets == ["train", "serve"])
        #expect(pulled.bytes == 255_728 && pulled.tensorBytes == 76_108, "saved_model.pb is 10 bytes of framing more than its graphs")

        let listed = try cli.decode([VersionSummary].self, "ls")
        #expect(listed.map { "\($0.model):\($0.version)" } == ["saver:1", "saver:2", "saver:3", "seed:1", "seed:2"])
        #expect(listed.map(\.kind) == [.checkpoint, .checkpoint, .checkpoint, .savedModel, .savedModel])
        #expect(listed[3].aliases == ["prod"] && listed[3].tensorBytes == 76_108 && listed[3].tagSets == ["train", "serve"])
        #expect(listed.map(\.globalStep) == [20, 30, 40, nil, nil])
        #expect(try cli.decode([VersionSummary].self, "history", "saver").map(\.parent) == [nil, "saver:1", "saver:2"])

        let detail = try cli.decode(VersionDetail.self, "show", "seed@prod")
        #expect(detail.summary == listed[3])
        #expect(detail.metaGraphs.map(\.tags) == [["train"], ["serve"]])
        #expect(detail.metaGraphs[1].signatures.map(\.key) == ["serving_default"])
        let input = try #require(detail.metaGraphs[1].signatures[0].inputs.first)
        #expect(input.key == "x" && input.name == "input_layer:0" && input.dtype == "float32" && input.shape == [-1, 28])
        #expect(detail.tensors.count == 21 && detail.tensors.reduce(0) { $0 + $1.bytes } == 76_108)
        #expect(detail.files.map(\.path) == ["assets.extra/example_inputs.npz", "assets.extra/expected_outputs.npz", "assets/vocab.txt"])
        #expect(detail.lineage == ["seed:1"])

        let diff = try cli.decode(VersionDiff.self, "diff", "saver:1", "saver:3")
        #expect(diff.from == "saver:1" && diff.to == "saver:3")
        #expect(diff.changed.map(\.name) == ["aux/counts", "aux/scale", "global_step", "linear/b", "linear/w"])
        #expect(diff.files.isEmpty && diff.files.unchanged == 1, "both checkpoints carry the same .meta")
        #expect(diff.isEmpty == false && diff.unchanged == 0)

        let verified = try cli.decode(VerifyReport.self, "verify")
        #expect(verified.versions == 5 && verified.tensors == 57 && verified.files == 9 && verified.problems.isEmpty)
        #expect(verified.chunks == 42 && verified.bytes == 76_444)

        let labelled = try cli.decode(LabelResult.self, "label", "seed:2", "stage=canary", "owner=ml")
        #expect(labelled.model == "seed" && labelled.version == 2 && labelled.labels == ["stage": "canary", "owner": "ml"])

        let dryRun = try cli.decode(Removal.self, "rm", "seed:1", "--force", "--dry-run")
        #expect(dryRun.versions == [1] && dryRun.aliases == ["prod"] && !dryRun.wholeModel && dryRun.dryRun)
        let removed = try cli.decode(Removal.self, "rm", "saver", "--all")
        #expect(removed.model == "saver" && removed.versions == [1, 2, 3] && removed.aliases.isEmpty && removed.wholeModel && !removed.dryRun)

        let collected = try cli.decode(GCReport.self, "gc")
        #expect(collected.chunksRemoved > 0 && collected.bytesFreed > 0 && collected.fileBytesAfter <= collected.fileBytesBefore)
    }
}

import Foundation
import Testing
@testable import Registry

/// Training checkpoints: Saver folders in and out, saves from memory, and Saver's retention.
@Suite struct CheckpointTests {
    @Test(arguments: ["saver_checkpoints/plain", "saver_checkpoints/sharded"])
    func saverFolderRoundTrip(folder: String) throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.cleanup() }
        let registry = try ModelRegistry(path: tmp.path + "/registry.db")
        let source = Fixtures.path(folder)
        let results = try registry.push(checkpointFolder: source, run: "saver")
        #expect(results.map(\.version) == [1, 2, 3])
        let history = try registry.history(model: "saver")
        #expect(history.map(\.globalStep) == [20, 30, 40])
        #expect(history.allSatisfy { $0.kind == "checkpoint" })
        _ = try registry.pullCheckpoints(run: "saver", to: tmp.path + "/out")
        let original = try DirectoryListing.scan(source), copy = try DirectoryListing.scan(tmp.path + "/out")
        #expect(original == copy)
        for file in original.files {
            let same = try fileBytes(source + "/" + file) == fileBytes(tmp.path + "/out/" + file)
            #expect(same, "\(folder)/\(file) differs after push and pull --checkpoint")
        }
    }

    /// `tf.train.Saver(max_to_keep=2, keep_checkpoint_every_n_hours=1)`, saves 20 minutes apart:
    /// the window holds two; one leaving it after the keep time (start + 1 h) is kept for good.
    @Test func retentionFollowsSaver() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.cleanup() }
        let registry = try ModelRegistry(path: tmp.path + "/registry.db")
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        try registry.beginTrainingSession(run: "run", policy: RetentionPolicy(maxToKeep: 2, keepEveryHours: 1), now: start)
        var preserved: [Int64] = [], deleted: [Int64] = []
        for i in 1...10 {
            let tensors = [NamedTensor(name: "w", floats: [Float(i)], shape: [1]), NamedTensor(name: "global_step", int64: Int64(i * 10))]
            let result = try registry.saveCheckpoint(run: "run", step: Int64(i * 10), tensors: tensors, metaGraphs: [],
                                                     now: start.addingTimeInterval(Double(i) * 1200))
            preserved += result.preserved
            deleted += result.deleted
        }
        // Saves at +20, +40, … +200 min; the keep time starts at +60. From save 3 on, the
        // oldest of three leaves the window: 1 (+20), 2 (+40) and 3 (+60, not later than +60)
        // are deleted; 4 (+80) is kept for good and the keep time moves to +120; 5 (+100) and
        // 6 (+120) are deleted; 7 (+140) is kept, the keep time moves to +180; 8 (+160) is
        // deleted; 9 and 10 are the window.
        #expect(preserved == [4, 7])
        #expect(deleted == [1, 2, 3, 5, 6, 8])
        let remaining = try registry.history(model: "run").map(\.version)
        #expect(remaining == [4, 7, 9, 10])
        let latest = try registry.loadTensors(VersionReference(model: "run"))
        #expect(latest["w"]?.floats == [10])
        #expect(latest["global_step"]?.int64Value == 100)
    }
}

import Foundation
import GRDB
import Testing
import TestSupport
@testable import Registry
@testable import RegistryStore

/// `prune`, rule by rule, against expectations worked out by hand, on a model of SavedModel
/// versions and on a training run whose checkpoints were saved at chosen times.
@Suite struct PruneTests {
    static func numbers(_ registry: ModelRegistry, _ model: String) throws -> [Int64] {
        try registry.history(model: model).map(\.version)
    }

    static func kept(_ report: PruneReport) -> [Int64: [PruneReason]] {
        Dictionary(uniqueKeysWithValues: report.kept.map { ($0.version, $0.reasons) })
    }

    /// m:1…m:6, each the parent of the next; m@prod → 2.
    @Test func aModelKeepsItsLastAndAliasedVersions() throws {
        try withRegistry { registry, tmp in
            for n in 1...6 {
                var options = ModelRegistry.PushOptions()
                if n > 1 { options.parent = VersionReference(model: "m", selector: .number(Int64(n - 1))) }
                _ = try registry.push(savedModel: Fixtures.casePath("seed_mlp_training"), model: "m", options: options)
            }
            try registry.setAlias(model: "m", alias: "prod", version: 2)
            _ = try registry.push(savedModel: Fixtures.casePath("large_weights"), model: "other")

            // keep-last 2: 5 and 6 stay.
            let last = try registry.prune(model: "m", rules: PruneRules(keepLast: 2), dryRun: true)
            #expect(last.dryRun && last.deleted == [1, 2, 3, 4] && last.gc == nil)
            #expect(Self.kept(last) == [5: [.last], 6: [.last]])
            #expect(try Self.numbers(registry, "m") == [1, 2, 3, 4, 5, 6], "a dry run deletes nothing")

            // Every version is younger than 30 days: --older-than 30d keeps them all; 30 days
            // from now, the same rule keeps none of them.
            let young = try registry.prune(model: "m", rules: PruneRules(keepLast: 1, olderThan: 30 * 86_400), dryRun: true)
            #expect(young.deleted.isEmpty && Self.kept(young)[6] == [.last, .recent] && Self.kept(young)[1] == [.recent])
            let later = Date().addingTimeInterval(31 * 86_400)
            let old = try registry.prune(model: "m", rules: PruneRules(keepLast: 1, olderThan: 30 * 86_400), dryRun: true, now: later)
            #expect(old.deleted == [1, 2, 3, 4, 5])

            // keep-last 2 and keep-aliased: 2 stays too.
            let report = try registry.prune(model: "m", rules: PruneRules(keepLast: 2, keepAliased: true))
            #expect(!report.dryRun && report.deleted == [1, 3, 4])
            #expect(Self.kept(report) == [2: [.aliased], 5: [.last], 6: [.last]])
            #expect(try Self.numbers(registry, "m") == [2, 5, 6])
            #expect(try Self.numbers(registry, "other") == [1], "other models are untouched")
            // Lineage re-linked by the one rule: 5's parent 4 and grandparent 3 are gone.
            #expect(try registry.show(VersionReference(model: "m", selector: .number(5))).lineage == ["m:5", "m:2"])
            #expect(try registry.show(VersionReference(model: "m", selector: .alias("prod"))).summary.version == 2)
            // The versions shared every byte with those kept: gc ran and found nothing to free
            // but the removed versions' own rows.
            let gc = try #require(report.gc)
            #expect(!gc.dryRun && gc.chunksRemoved == 0, "\(gc)")
            #expect(try registry.verify().problems.isEmpty)
            let out = tmp.path + "/m6"
            _ = try registry.pull(VersionReference(model: "m"), to: out)
            #expect(try fileBytes(out + "/saved_model.pb") == fileBytes(Fixtures.casePath("seed_mlp_training") + "/saved_model.pb"))

            #expect(throws: RegistryError.self) { try registry.prune(model: "m", rules: PruneRules(keepLast: 0)) }
            #expect(throws: ReferenceError.self) { try registry.prune(model: "nope", rules: PruneRules(keepLast: 1)) }
        }
    }

    /// Checkpoints 1…10 of run r saved at 0, 1, 2, 5, 6, 11, 12, 13, 30 and 31 hours; 3 is
    /// preserved (kept for good by its run's Saver).
    @Test func aRunKeepsOneCheckpointPerPeriodAndItsRecentOnes() throws {
        try withRegistry { registry, tmp in
            let start = Date(timeIntervalSince1970: 1_700_000_000)
            let hours: [Double] = [0, 1, 2, 5, 6, 11, 12, 13, 30, 31]
            var weights: [[Float]] = []
            for (i, hour) in hours.enumerated() {
                let w = (0..<4096).map { Float($0 + 7 * i) * 1e-3 }
                weights.append(w)
                _ = try registry.saveCheckpoint(run: "r", step: Int64(100 * (i + 1)), tensors: [NamedTensor(name: "w", floats: w, shape: [4096])],
                                                metaGraphs: [], now: start.addingTimeInterval(hour * 3600))
            }
            try DatabaseQueue(path: tmp.path + "/registry.db").write { db in
                try db.execute(sql: "UPDATE versions SET preserved = 1 WHERE number = 3")
            }
            let now = start.addingTimeInterval(32 * 3600)

            // Every 6 hours: 1 (0 h), 5 (6 h), 7 (12 h), 9 (30 h); the last two: 9, 10; 3 preserved.
            let every = try registry.prune(model: "r", rules: PruneRules(keepLast: 2, keepEveryHours: 6), dryRun: true, now: now)
            #expect(every.deleted == [2, 4, 6, 8])
            #expect(Self.kept(every) == [1: [.everyHours], 3: [.preserved], 5: [.everyHours], 7: [.everyHours],
                                        9: [.last, .everyHours], 10: [.last]])

            // Only what is older than 20 hours may go: 8 (13 h, 19 hours old) stays as well.
            let report = try registry.prune(model: "r", rules: PruneRules(keepLast: 2, keepEveryHours: 6, olderThan: 20 * 3600), now: now)
            #expect(report.deleted == [2, 4, 6])
            #expect(Self.kept(report)[8] == [.recent] && Self.kept(report)[9] == [.last, .everyHours, .recent])
            #expect(try Self.numbers(registry, "r") == [1, 3, 5, 7, 8, 9, 10])
            #expect(try registry.show(VersionReference(model: "r", selector: .number(7))).lineage == ["r:7", "r:5", "r:3", "r:1"])
            let gc = try #require(report.gc)
            #expect(gc.contentsRemoved == 3, "each deleted checkpoint's own tensor: \(gc)")
            #expect(try registry.verify().problems.isEmpty)
            for n in [1, 3, 5, 7, 8, 9, 10] {
                let loaded = try registry.loadTensors(VersionReference(model: "r", selector: .number(Int64(n))))
                #expect(loaded["w"]?.floats == weights[n - 1], "checkpoint \(n)")
            }
        }
    }
}

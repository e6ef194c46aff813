import Foundation
import Testing
@testable import Registry
import RegistryFormat

/// The rule a serving sync writes labels by (`ServingLabelPlan`): TensorFlow Serving checks a
/// config's labels against the versions it has loaded before it loads what the config adds,
/// so a label moves only to a version the file has named for the label delay, staying on its
/// old version (kept in the policy) meanwhile.
@Suite struct ServingLabelPlanTests {
    static func entry(versions: [Int64], labels: [String: Int64]) -> Tensorflow_Serving_ModelConfig {
        var entry = Tensorflow_Serving_ModelConfig()
        entry.name = "m"
        entry.modelVersionPolicy.specific.versions = versions
        entry.versionLabels = labels
        return entry
    }

    @Test func aLabelMovesInTwoWrites() {
        let before = Self.entry(versions: [1, 2], labels: ["prod": 1])
        // 3 is new: it joins the policy, prod stays on 1 (kept), the move waits.
        let first = ServingLabelPlan(selected: [3], desired: ["prod": 3], existing: before, present: [1, 2], settled: true, immediate: false)
        #expect(first == ServingLabelPlan(versions: [1, 3], labels: ["prod": 1], pending: ["prod": 3]))
        // The file names 3 but has not been in place long enough: still waiting.
        let written = Self.entry(versions: [1, 3], labels: ["prod": 1])
        let early = ServingLabelPlan(selected: [3], desired: ["prod": 3], existing: written, present: [1, 3], settled: false, immediate: false)
        #expect(early == first)
        // Settled: prod moves, 1 leaves.
        let second = ServingLabelPlan(selected: [3], desired: ["prod": 3], existing: written, present: [1, 3], settled: true, immediate: false)
        #expect(second == ServingLabelPlan(versions: [3], labels: ["prod": 3], pending: [:]))
        #expect(second.entry(model: "m", base: "/b", existing: written).versionLabels == ["prod": 3])
    }

    @Test func newLabelsWaitUnlessImmediate() {
        let fresh = ServingLabelPlan(selected: [1, 2], desired: ["prod": 1], existing: nil, present: [], settled: false, immediate: false)
        #expect(fresh == ServingLabelPlan(versions: [1, 2], labels: [:], pending: ["prod": 1]))
        let now = ServingLabelPlan(selected: [1, 2], desired: ["prod": 1], existing: nil, present: [], settled: false, immediate: true)
        #expect(now == ServingLabelPlan(versions: [1, 2], labels: ["prod": 1], pending: [:]))
        // A label that already says this stays; a label no alias asks for any more goes.
        let kept = ServingLabelPlan(selected: [1], desired: ["prod": 1], existing: Self.entry(versions: [1], labels: ["prod": 1, "old": 1]),
                                    present: [1], settled: false, immediate: false)
        #expect(kept == ServingLabelPlan(versions: [1], labels: ["prod": 1], pending: [:]))
    }

    @Test func aLabelWhoseOldFolderIsGoneIsLeftOutUntilItMoves() {
        let plan = ServingLabelPlan(selected: [3], desired: ["prod": 3], existing: Self.entry(versions: [1], labels: ["prod": 1]),
                                    present: [], settled: true, immediate: false)
        #expect(plan == ServingLabelPlan(versions: [3], labels: [:], pending: ["prod": 3]))
    }

    @Test func theEntryKeepsItsOtherFieldsAndDropsModelType() {
        var existing = Self.entry(versions: [1], labels: [:])
        existing.modelType = .tensorflow
        existing.loggingConfig.samplingConfig.samplingRate = 0.5
        let entry = ServingLabelPlan(versions: [1], labels: ["a": 1], pending: [:]).entry(model: "m", base: "/srv/m", existing: existing)
        #expect(entry.modelType == .unspecified && entry.modelPlatform == "tensorflow" && entry.basePath == "/srv/m")
        #expect(entry.loggingConfig.samplingConfig.samplingRate == 0.5)
    }
}

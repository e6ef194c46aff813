import Foundation
import RegistryFormat

/// Which versions and labels a sync writes into a model's `--config` entry, with TensorFlow
/// Serving's rule in mind: on each reload the server checks every `version_labels` entry
/// against the versions it has already loaded, before it loads anything the new file adds
/// (`ServerCore::ReloadConfig` calls `UpdateModelVersionLabelMap` first). A file that adds
/// version 3 and points a label at it in one write is therefore refused, and since the
/// refusal comes before the load, version 3 is never loaded: the server is stuck (serving
/// issue 1608). So a label moves in two writes, as TF Serving's guide prescribes: first
/// version 3 joins the policy while the label stays where it was (its old version stays too);
/// once that file has been in place `labelDelay` seconds, long enough for the server to read
/// it and load version 3, the label moves and the old version leaves.
struct ServingLabelPlan: Equatable {
    /// The `model_version_policy { specific { versions } }` to write, ascending.
    var versions: [Int64]
    /// The `version_labels` to write now.
    var labels: [String: Int64]
    /// Labels that have yet to move: label -> the version it moves to once settled.
    var pending: [String: Int64]

    init(versions: [Int64], labels: [String: Int64], pending: [String: Int64]) {
        self.versions = versions
        self.labels = labels
        self.pending = pending
    }

    /// - Parameters:
    ///   - selected: the versions the sync publishes.
    ///   - desired: the labels the aliases ask for (each on a selected version).
    ///   - existing: the model's entry in the file now, if any.
    ///   - present: versions whose registry folders were in the base path before this sync.
    ///   - settled: the file has been in place at least the label delay (or the delay is 0).
    ///   - immediate: the delay is 0: labels are written as asked, in one write.
    init(selected: [Int64], desired: [String: Int64], existing: Tensorflow_Serving_ModelConfig?, present: Set<Int64>,
         settled: Bool, immediate: Bool) {
        let listed = Set(existing.map(Self.policyVersions) ?? [])
        let current = existing?.versionLabels ?? [:]
        var versions = Set(selected)
        labels = [:]
        pending = [:]
        for (label, version) in desired {
            let loaded = listed.contains(version) && present.contains(version) && settled
            if immediate || current[label] == version || loaded {
                labels[label] = version
                continue
            }
            pending[label] = version
            if let old = current[label], present.contains(old) {  // the label stays on its version meanwhile
                labels[label] = old
                versions.insert(old)
            }
        }
        self.versions = versions.sorted()
    }

    /// The entry to write: `existing` (or a new one) with its name, base path, platform, policy
    /// and labels set; its other fields (logging) kept.
    func entry(model: String, base: String, existing: Tensorflow_Serving_ModelConfig?) -> Tensorflow_Serving_ModelConfig {
        var entry = existing ?? Tensorflow_Serving_ModelConfig()
        entry.name = model
        entry.basePath = base
        entry.modelType = .unspecified  // TF Serving refuses model_type beside model_platform
        entry.modelPlatform = "tensorflow"
        var policy = Tensorflow_Serving_FileSystemStoragePathSourceConfig.ServableVersionPolicy()
        policy.specific.versions = versions
        entry.modelVersionPolicy = policy
        entry.versionLabels = labels
        return entry
    }

    /// The versions an entry's policy names (none for `latest` and `all`).
    static func policyVersions(_ entry: Tensorflow_Serving_ModelConfig) -> [Int64] {
        if case .specific(let specific)? = entry.modelVersionPolicy.policyChoice { return specific.versions }
        return []
    }
}

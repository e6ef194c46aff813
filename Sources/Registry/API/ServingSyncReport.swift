import Foundation

/// What one sync did; `--json` prints these fields.
public struct ServingSyncReport: Codable, Sendable, Equatable {
    public var model: String
    /// The base path, absolute.
    public var base: String
    /// The versions the selection names, ascending.
    public var selected: [Int64]
    /// Versions written into the base path (new, or replacing a folder that no longer matched).
    public var written: [Int64]
    /// Of `written`, those that replaced a folder.
    public var replaced: [Int64]
    /// Selected versions whose folders already held them: left untouched.
    public var unchanged: [Int64]
    /// Version folders removed (no longer selected, not named by the config).
    public var removed: [String]
    /// Version folders not selected but left in place: `--keep-unselected`, or still named by the
    /// config until a label moves off them.
    public var kept: [String]
    /// Bytes written into version folders.
    public var bytes: Int64
    public var config: ServingConfigReport?

    /// Nothing was written, replaced or removed, and the config was not rewritten.
    public var changedNothing: Bool {
        written.isEmpty && removed.isEmpty && config?.written != true
    }

    /// This report followed by `next` (a later pass of the same sync), as one.
    public func followed(by next: ServingSyncReport) -> ServingSyncReport {
        var merged = next
        merged.written = Array(Set(written + next.written)).sorted()
        merged.replaced = Array(Set(replaced + next.replaced)).sorted()
        merged.unchanged = next.unchanged.filter { !merged.written.contains($0) }
        merged.removed = Array(Set(removed + next.removed)).sorted()
        merged.bytes = bytes + next.bytes
        if let config, var nextConfig = next.config {
            nextConfig.written = config.written || nextConfig.written
            merged.config = nextConfig
        }
        return merged
    }
}

/// The model's entry in the `--config` file after a sync.
public struct ServingConfigReport: Codable, Sendable, Equatable {
    /// The config file, absolute.
    public var path: String
    /// The file was replaced (false: it already said this).
    public var written: Bool
    /// `model_version_policy { specific { versions } }`.
    public var versions: [Int64]
    /// `version_labels` as written.
    public var labels: [String: Int64]
    /// Labels still to move, to these versions, once TensorFlow Serving has had `labelDelay` to load them.
    public var pendingLabels: [String: Int64]
    /// When the pending labels may move (nil when none are pending).
    public var settlesAt: Date?
}

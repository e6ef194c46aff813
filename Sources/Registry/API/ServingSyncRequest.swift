import Foundation

/// What `registry serving sync` asks for: which versions of which model go into which base
/// path, and what to do with the rest.
public struct ServingSyncRequest: Sendable {
    public var model: String
    /// The model's base path, the folder TensorFlow Serving watches (`BASE/N` per version).
    public var base: String
    /// Publish the versions these aliases point at, labelled so.
    public var aliases: [String] = []
    /// Publish these version numbers.
    public var versions: [Int64] = []
    /// Publish the newest `latest` versions.
    public var latest: Int?
    /// The `--model_config_file` to write the model's entry into.
    public var config: String?
    /// Leave version folders that are no longer selected in place.
    public var keepUnselected = false
    /// Replace or remove version folders the registry did not write.
    public var force = false
    /// Seconds a new version stays in the config before a label moves to it (0: at once).
    public var labelDelay: TimeInterval = 60

    /// With no aliases, versions or `latest`: every aliased version plus the latest.
    public init(model: String, base: String) {
        self.model = model
        self.base = base
    }
}

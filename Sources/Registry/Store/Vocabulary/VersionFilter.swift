import RegistryFormat

/// Which versions `list` returns; every condition given must hold.
public struct VersionFilter: Sendable {
    public var model: String?
    /// Versions with a meta graph carrying this tag.
    public var tag: String?
    /// Versions with a meta graph whose tag set is exactly this one.
    public var tagSet: TagSet?
    /// Versions with a signature of this key.
    public var signature: String?
    public var labels: [String: String] = [:]
    /// Only the newest version of each model.
    public var latestOnly = false
    /// At most this many versions (nil: every one), after skipping the first `offset`, in the
    /// listing's order (model name, then number): a page of a long listing.
    public var limit: Int?
    public var offset = 0
    public init() {}
}

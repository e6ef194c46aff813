import Foundation
import RegistryFormat

/// One model as the web app's models page shows it: how many of its versions match the
/// listing's filter, the newest of them, and where the model's aliases point.
public struct ModelSummary: Codable, Sendable, Equatable {
    public var name: String
    /// Versions of the model that match the filter.
    public var versions: Int
    /// The newest matching version (its kind, tag sets, labels and size describe the model).
    public var latest: VersionSummary
    /// Every alias of the model, with the version number it names.
    public var aliases: [String: Int64]
}

/// One page of a listing, and how many items the whole listing holds.
public struct Page<Item: Codable & Sendable>: Codable, Sendable {
    public var items: [Item]
    /// Items in the whole listing, of which `items` start at `offset`.
    public var total: Int
    public var offset: Int

    package init(items: [Item], total: Int, offset: Int) {
        self.items = items
        self.total = total
        self.offset = offset
    }
}

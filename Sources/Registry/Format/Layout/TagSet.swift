import Foundation

/// The set of tags that names a MetaGraphDef (`serve`, `train`, `serve,gpu`): sorted and
/// de-duplicated, so that `gpu,serve` and `serve,gpu` are the same key, as in TF's loader.
public struct TagSet: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let tags: [String]

    public init(_ tags: some Sequence<String>) {
        self.tags = Array(Set(tags)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Parses the canonical comma-separated form; blanks around tags are ignored.
    public init(parsing text: String) {
        self.init(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    public var description: String { tags.joined(separator: ",") }

    public func contains(_ tag: String) -> Bool { tags.contains(tag) }

    public static func < (a: TagSet, b: TagSet) -> Bool { a.description < b.description }
}

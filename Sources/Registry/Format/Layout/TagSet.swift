import Foundation

/// The set of tags that names a MetaGraphDef (`serve`, `train`, `serve,gpu`): sorted and
/// de-duplicated, so that `gpu,serve` and `serve,gpu` are the same key, as in TF's loader.
public struct TagSet: Hashable, Comparable, Sendable, CustomStringConvertible, Codable, ExpressibleByStringLiteral {
    public let tags: [String]
    /// The canonical text, kept: listings print it for every row.
    public let description: String

    public init(_ tags: some Sequence<String>) {
        self.tags = Array(Set(tags)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        description = self.tags.joined(separator: ",")
    }

    /// Parses the canonical comma-separated form; blanks around tags are ignored.
    public init(parsing text: String) {
        self.init(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }


    /// `"serve,gpu"` as a literal: the canonical text.
    public init(stringLiteral text: String) {
        self.init(parsing: text)
    }

    public func contains(_ tag: String) -> Bool { tags.contains(tag) }

    public static func < (a: TagSet, b: TagSet) -> Bool { a.description < b.description }

    /// Encoded as its canonical text (`"serve"`, `"gpu,serve"`), as `--json` has always shown it.
    public init(from decoder: Decoder) throws {
        self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

import Foundation
import RegistryFormat

/// One version as listings (`ls`, `history`) show it; `--json` prints exactly these fields.
public struct VersionSummary: Codable, Sendable, Equatable {
    public var model: String
    public var version: Int64
    public var createdAt: Date
    public var kind: VersionKind
    public var tagSets: [TagSet]
    public var labels: [String: String]
    public var aliases: [String]
    public var tensors: Int
    public var tensorBytes: Int64
    public var source: String?
    public var parent: String?
    public var run: String?
    public var globalStep: Int64?
    public var metrics: [String: Double]?
    /// `sha256:…` of the OCI manifest a push of the version produces (nil for a version
    /// recorded before digests were, until `show` or `push --to` computes it).
    public var digest: String?
}

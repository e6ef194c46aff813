import RegistryFormat
import RegistryStore
import Foundation

/// What `push --to` did; `--json` prints exactly these fields. Blob counts are packs (layers,
/// `PackPlan`); the config blob is counted apart.
public struct RemotePushResult: Codable, Sendable {
    public var model: String
    public var version: Int64
    /// `oci://HOST/REPO:TAG` of the first tag.
    public var remote: String
    public var tag: String
    /// Every tag the manifest was stored under: the one asked for (or `MODEL-N`), the
    /// version's aliases, `latest` when it is its model's latest, and `--tag`s.
    public var tags: [String]
    /// The manifest's digest, which is the version's digest: `REMOTE@DIGEST` names it for ever.
    public var digest: String
    /// Distinct chunks the version is made of.
    public var chunks: Int
    /// Packs they travel in (the manifest's layers).
    public var packs: Int
    public var blobsSent: Int
    public var bytesSent: Int64
    /// Packs the remote had already (from this or any earlier push to the repository).
    public var blobsSkipped: Int
    public var bytesSkipped: Int64
    public var configSent: Bool
    public var configBytes: Int
    public var manifestBytes: Int
    public var seconds: Double
}

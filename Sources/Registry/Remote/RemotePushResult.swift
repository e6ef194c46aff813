import RegistryFormat
import RegistryStore
import Foundation

/// What `push --to` did; `--json` prints exactly these fields. Blob counts are chunk blobs
/// (layers); the config blob is counted apart.
public struct RemotePushResult: Codable, Sendable {
    public var model: String
    public var version: Int64
    /// `oci://HOST/REPO:TAG`.
    public var remote: String
    public var tag: String
    /// The manifest's digest: `REMOTE@DIGEST` names this exact version for ever.
    public var digest: String
    /// Distinct chunks the version is made of (its layers).
    public var chunks: Int
    public var blobsSent: Int
    public var bytesSent: Int64
    /// Chunks the remote had already (from this or any earlier push to the repository).
    public var blobsSkipped: Int
    public var bytesSkipped: Int64
    public var configSent: Bool
    public var configBytes: Int
    public var seconds: Double
}

import RegistryFormat
import RegistryStore
import Foundation

/// What `pull oci://…` did; `--json` prints exactly these fields.
public struct RemotePullResult: Codable, Sendable {
    /// The local version created.
    public var model: String
    public var version: Int64
    /// What was pulled, and its manifest digest.
    public var remote: String
    public var digest: String
    /// The version as it was named where it was pushed from (`NAME:N`).
    public var origin: String
    /// Distinct chunks the version is made of (its layers).
    public var chunks: Int
    public var blobsFetched: Int
    public var bytesFetched: Int64
    /// Chunks this registry held already (shared with other versions, or kept by an interrupted pull).
    public var blobsPresent: Int
    public var bytesPresent: Int64
    public var tensors: Int
    public var files: Int
    public var seconds: Double
}

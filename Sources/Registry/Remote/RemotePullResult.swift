import RegistryFormat
import RegistryStore
import Foundation

/// What `pull oci://…` did; `--json` prints exactly these fields.
public struct RemotePullResult: Codable, Sendable {
    /// The local version: created, or (`alreadyHere`) the one holding the same digest.
    public var model: String
    public var version: Int64
    /// True when the registry held a version of this digest already: nothing was recorded.
    public var alreadyHere: Bool
    /// What was pulled, and its manifest digest (the version's digest).
    public var remote: String
    public var digest: String
    /// The version as it was named where it was made (`NAME:N`).
    public var origin: String
    /// The local alias the tag set (`pull oci://…:prod` points `prod` at the version).
    public var alias: String?
    /// Distinct chunks the version is made of, and the packs (layers) they travel in.
    public var chunks: Int
    public var packs: Int
    public var blobsFetched: Int
    public var bytesFetched: Int64
    /// Chunks this registry held already (shared with other versions, or kept by an interrupted pull).
    public var chunksPresent: Int
    public var bytesPresent: Int64
    public var tensors: Int
    public var files: Int
    public var seconds: Double
}

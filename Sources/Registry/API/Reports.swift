import Foundation
import RegistryFormat
import RegistryStore

/// What a push did; `--json` prints exactly these fields.
public struct PushResult: Codable, Sendable {
    public var model: String
    public var version: Int64
    public var tensors: Int
    public var files: Int
    public var statistics: StoreStatistics
    /// The version's digest: the manifest digest a push of it to an OCI registry produces.
    public var digest: String

    init(_ created: CreatedVersion, digest: String) {
        model = created.model
        version = created.number
        tensors = created.tensors
        files = created.files
        statistics = created.statistics
        self.digest = digest
    }
}

/// What a pull wrote.
public struct PullResult: Codable, Sendable {
    public var model: String
    public var version: Int64
    public var path: String
    public var bytes: Int64
    public var tagSets: [TagSet]
}

/// A signature input or output.
public struct SignatureTensorInfo: Codable, Sendable, Equatable {
    public var key: String
    public var name: String
    public var dtype: String
    /// nil when the rank is unknown; -1 for unknown dimensions.
    public var shape: [Int64]?
}

public struct SignatureInfo: Codable, Sendable, Equatable {
    public var key: String
    public var method: String
    public var inputs: [SignatureTensorInfo]
    public var outputs: [SignatureTensorInfo]
}

public struct CollectionInfo: Codable, Sendable, Equatable {
    public var key: String
    public var kind: String
    public var size: Int64
}

public struct MetaGraphInfo: Codable, Sendable, Equatable {
    public var tags: [String]
    public var signatures: [SignatureInfo]
    public var collections: [CollectionInfo]
}

public struct TensorSummary: Codable, Sendable, Equatable {
    public var name: String
    public var dtype: String
    public var shape: [Int64]
    public var bytes: Int64
    public var shard: Int32
}

public struct FileSummary: Codable, Sendable, Equatable {
    public var path: String
    public var bytes: Int64
}

/// Where a version comes from: who made it, with what, from which folder and commit, from
/// which parent; for a pulled version, its name where it was made and the remote.
public struct ProvenanceInfo: Codable, Sendable, Equatable {
    public var digest: String
    /// `user@host`.
    public var author: String?
    public var tool: String?
    public var source: String?
    public var gitCommit: String?
    public var gitDirty: Bool?
    /// The parent as `NAME:N` where the version was made, and its digest.
    public var parent: String?
    public var parentDigest: String?
    /// A pulled version's `NAME:N` where it was made, and the remote it was pulled from.
    public var origin: String?
    public var remote: String?
}

/// Everything `registry show` tells about a version.
public struct VersionDetail: Codable, Sendable {
    public var summary: VersionSummary
    public var provenance: ProvenanceInfo
    public var metaGraphs: [MetaGraphInfo]
    public var tensors: [TensorSummary]
    public var files: [FileSummary]
    /// This version, then its parent, its parent's parent… as `model:number`.
    public var lineage: [String]
}

/// `registry diff`: tensors added, removed and changed between two versions.
public struct TensorDiff: Codable, Sendable {
    public struct Change: Codable, Sendable, Equatable {
        public var name: String
        public var before: String
        public var after: String
        /// Largest |a - b| over the elements, for floating-point tensors of one shape.
        public var maxAbsDifference: Double?
    }

    public var from: String
    public var to: String
    public var added: [TensorSummary]
    public var removed: [TensorSummary]
    public var changed: [Change]
    public var unchanged: Int
}

/// `registry gc`: what was dropped.
public struct GCReport: Codable, Sendable {
    public var contentsRemoved: Int
    public var chunksRemoved: Int
    public var bytesFreed: Int64
    public var fileBytesBefore: Int64
    public var fileBytesAfter: Int64
}

/// `registry verify`: what was checked and every problem found.
public struct VerifyReport: Codable, Sendable {
    public struct Problem: Codable, Sendable, Equatable {
        public var model: String
        public var version: Int64
        public var item: String
        public var detail: String
    }

    public var versions: Int
    public var tensors: Int
    public var files: Int
    public var chunks: Int
    public var bytes: Int64
    public var problems: [Problem]
}

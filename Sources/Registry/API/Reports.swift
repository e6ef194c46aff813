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
    /// Versions of the run the push's retention deleted, and those it kept for good (absent
    /// when it deleted or kept none).
    public var deleted: [Int64]?
    public var preserved: [Int64]?

    init(_ created: CreatedVersion) {
        model = created.model
        version = created.number
        tensors = created.tensors
        files = created.files
        statistics = created.statistics
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

/// Everything `registry show` tells about a version.
public struct VersionDetail: Codable, Sendable {
    public var summary: VersionSummary
    public var metaGraphs: [MetaGraphInfo]
    public var tensors: [TensorSummary]
    public var files: [FileSummary]
    /// This version, then its parent, its parent's parent… as `model:number`.
    public var lineage: [String]
    /// `sha256:…` over everything the version's export is made of: equal digests, identical
    /// folders (what caches of pulled versions are keyed by).
    public var digest: String
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

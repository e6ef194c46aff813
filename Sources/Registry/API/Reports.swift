import Foundation
import RegistryFormat
import RegistryStore

/// What a push did; `--json` prints exactly these fields.
public struct PushResult: Codable, Sendable {
    public var model: String
    public var version: Int64
    public var tensors: Int
    public var files: Int
    /// Bytes of the version's tensors (what `ls` shows); `statistics.rawBytes` is every byte
    /// pushed (tensors, graphs, other files).
    public var tensorBytes: Int64
    public var statistics: StoreStatistics
    /// The version's digest: the manifest digest a push of it to an OCI registry produces.
    public var digest: String
    /// Versions of the run the push's retention deleted, and those it kept for good (absent
    /// when it deleted or kept none).
    public var deleted: [Int64]?
    public var preserved: [Int64]?

    init(_ created: CreatedVersion, tensorBytes: Int64, digest: String) {
        model = created.model
        version = created.number
        tensors = created.tensors
        files = created.files
        self.tensorBytes = tensorBytes
        statistics = created.statistics
        self.digest = digest
    }
}

/// What a pull wrote.
public struct PullResult: Codable, Sendable {
    public var model: String
    public var version: Int64
    public var path: String
    /// Every byte written (graph file, tensors, other files).
    public var bytes: Int64
    /// Bytes of the version's tensors among them.
    public var tensorBytes: Int64
    public var tagSets: [TagSet]
}

/// A signature input or output.
public struct SignatureTensorInfo: Codable, Sendable, Equatable {
    public var key: String
    public var name: String
    public var dtype: String
    /// nil when the rank is unknown; -1 for unknown dimensions.
    public var shape: [Int64]?

    /// `key: dtype[dims] (name)`, `?` for an unknown dimension, as `show` prints it.
    public var text: String {
        "\(key): \(dtype)" + (shape.map { "[" + $0.map { $0 < 0 ? "?" : String($0) }.joined(separator: ",") + "]" } ?? "<unknown rank>")
            + " (\(name))"
    }
}

/// One signature of a meta graph as `show` lists it: its key, method, inputs and outputs.
public struct SignatureInfo: Codable, Sendable, Equatable {
    public var key: String
    public var method: String
    public var inputs: [SignatureTensorInfo]
    public var outputs: [SignatureTensorInfo]

    /// One line: method, then each input and output with dtype, shape and tensor name.
    public var text: String {
        func list(_ tensors: [SignatureTensorInfo]) -> String { tensors.map(\.text).joined(separator: ", ") }
        return (method.isEmpty ? "" : "(\(method)) ") + "in \(list(inputs)); out \(list(outputs))"
    }
}

/// One collection of a meta graph: its key, the kind of list it holds and how many items.
public struct CollectionInfo: Codable, Sendable, Equatable {
    public var key: String
    public var kind: String
    public var size: Int64
}

/// One MetaGraphDef of a version: its tag set, signatures and collections.
public struct MetaGraphInfo: Codable, Sendable, Equatable {
    public var tags: [String]
    public var signatures: [SignatureInfo]
    public var collections: [CollectionInfo]
}

/// One tensor of a version as `show` and `diff` list it: name, dtype, shape, size and shard.
public struct TensorSummary: Codable, Sendable, Equatable {
    public var name: String
    public var dtype: String
    public var shape: [Int64]
    public var bytes: Int64
    public var shard: Int32
}

/// One file of a version other than the graph and the bundle (assets, fingerprint), by path.
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
    /// The content digest: `sha256:…` over everything the version's export is made of and
    /// nothing else (not its name, number, labels or provenance): equal content digests,
    /// identical folders, whichever versions they are (what caches of pulled versions, such as
    /// tfregistry's `load()`, are keyed by). Its JSON key is `digest`, as tfregistry reads it.
    /// Not the version digest (`provenance.digest`, `summary.digest`): that one names the
    /// version's OCI manifest, which also covers its name and metadata.
    public var contentDigest: String

    private enum CodingKeys: String, CodingKey {
        case summary, provenance, metaGraphs, tensors, files, lineage
        case contentDigest = "digest"
    }
}

/// `registry diff`: what changed between two versions. The tensor fields come first (as
/// earlier releases printed them); the meta graphs' tag sets, signatures and collections and
/// the other files follow, each as a `Differences`.
public struct VersionDiff: Codable, Sendable {
    /// A tensor present on both sides whose dtype, shape or bytes differ.
    public struct Change: Codable, Sendable, Equatable {
        public var name: String
        public var before: String
        public var after: String
        /// Largest |a - b| over the elements, for floating-point tensors of one shape.
        public var maxAbsDifference: Double?
    }

    /// `NAME:N` of each side.
    public var from: String
    public var to: String
    public var added: [TensorSummary]
    public var removed: [TensorSummary]
    public var changed: [Change]
    public var unchanged: Int
    /// Tag sets as `{serve}`; signatures and collections as `{TAGS} KEY`; files by path.
    public var tagSets: Differences
    public var signatures: Differences
    public var collections: Differences
    public var files: Differences

    /// Whether nothing at all differs.
    public var isEmpty: Bool {
        added.isEmpty && removed.isEmpty && changed.isEmpty && [tagSets, signatures, collections, files].allSatisfy(\.isEmpty)
    }
}

/// One thing compared between two versions (a signature, a file…): what `diff` prints of it,
/// and what decides whether it changed (`identity`, the detail unless given).
struct DiffItem {
    var detail: String
    var identity: String

    init(detail: String, identity: String? = nil) {
        self.detail = detail
        self.identity = identity ?? detail
    }
}

/// Items of one kind added, removed and changed between two versions, by name.
public struct Differences: Codable, Sendable, Equatable {
    /// An item present on one side only, with what `diff` prints of it.
    public struct Item: Codable, Sendable, Equatable {
        public var name: String
        public var detail: String
    }

    /// An item present on both sides whose detail differs.
    public struct Change: Codable, Sendable, Equatable {
        public var name: String
        public var before: String
        public var after: String
    }

    public var added: [Item]
    public var removed: [Item]
    public var changed: [Change]
    public var unchanged: Int

    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }

    /// The comparison of two sets of named items, names sorted.
    static func between(_ before: [String: DiffItem], _ after: [String: DiffItem]) -> Differences {
        var result = Differences(added: [], removed: [], changed: [], unchanged: 0)
        for name in Set(before.keys).union(after.keys).sorted() {
            switch (before[name], after[name]) {
            case let (old?, new?):
                if old.identity == new.identity { result.unchanged += 1 } else {
                    result.changed.append(Change(name: name, before: old.detail, after: new.detail))
                }
            case let (nil, new?): result.added.append(Item(name: name, detail: new.detail))
            case let (old?, nil): result.removed.append(Item(name: name, detail: old.detail))
            case (nil, nil): break
            }
        }
        return result
    }
}

/// `registry gc`: what was dropped (with `dryRun`, what would be), and where the space went.
public struct GCReport: Codable, Sendable {
    public var dryRun: Bool
    public var contentsRemoved: Int
    public var chunksRemoved: Int
    /// Stored bytes of the chunks removed.
    public var bytesFreed: Int64
    /// By how much the file shrank: free pages handed back to the file system.
    public var bytesReturned: Int64
    /// Free pages left in the file, which later pushes fill before the file grows.
    public var bytesReusable: Int64
    public var fileBytesBefore: Int64
    public var fileBytesAfter: Int64
    /// Whether this registry hands free pages back (created or compacted since migration 0012).
    public var incrementalVacuum: Bool
}

/// `registry compact`: the file before and after its rewrite.
public struct CompactReport: Codable, Sendable {
    public var fileBytesBefore: Int64
    public var fileBytesAfter: Int64
    public var seconds: Double
}

/// `registry verify`: what was checked and every problem found.
public struct VerifyReport: Codable, Sendable {
    /// One damaged item (a chunk, tensor or file) of one version, in words.
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

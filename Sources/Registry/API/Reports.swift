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
    /// Versions of the run the push's retention deleted, and those it kept for good (absent
    /// when it deleted or kept none).
    public var deleted: [Int64]?
    public var preserved: [Int64]?

    init(_ created: CreatedVersion, tensorBytes: Int64) {
        model = created.model
        version = created.number
        tensors = created.tensors
        files = created.files
        self.tensorBytes = tensorBytes
        statistics = created.statistics
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

/// `registry diff`: what changed between two versions. The tensor fields come first (as
/// earlier releases printed them); the meta graphs' tag sets, signatures and collections and
/// the other files follow, each as a `Differences`.
public struct VersionDiff: Codable, Sendable {
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
    public struct Item: Codable, Sendable, Equatable {
        public var name: String
        public var detail: String
    }

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

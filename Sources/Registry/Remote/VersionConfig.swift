import Foundation
import RegistryFormat
import RegistryStore

/// The config blob of a pushed version (`OCIMediaType.config`): every row a pull needs to
/// rebuild the version, byte streams referred to by index into `contents`. Binary fields
/// (keys, headers, unknown proto fields) are base64. Signature and collection rows are not
/// shipped: a pull derives them from the MetaGraphDef bytes, as a push does.
///
/// Format 3 (this one) numbers the version's distinct chunks in order of first use (graph
/// text, meta graphs, tensors, files) and gives each content as runs of those numbers; the
/// chunks travel in `packs` (`PackPlan`), each named here by its chunk count and the sha256 of
/// its header, which lists the chunks' addresses. Formats 1 and 2 (a layer per chunk, each
/// content its chunk addresses) still pull.
struct VersionConfig: Codable, Sendable {
    static let currentFormat = 3
    static let readableFormats = 1...3

    struct Graph: Codable, Sendable {
        /// `binary` (saved_model.pb) or `text` (saved_model.pbtxt).
        var encoding: String
        var schemaVersion: Int64
        /// Unknown top-level fields of the SavedModel message.
        var extra: Data?
        /// The original text of a `.pbtxt` graph, as a content index.
        var text: Int?
    }

    struct Bundle: Codable, Sendable {
        var prefix: String?
        /// BundleHeaderProto bytes.
        var header: Data?
    }

    struct MetaGraphRow: Codable, Sendable {
        var position: Int64
        var tagSet: String
        var content: Int
    }

    /// A tensor: its key and index entry (`BundleEntryProto` bytes), as the tensors table keeps them.
    struct TensorRow: Codable, Sendable {
        var key: Data
        var entry: Data
        var content: Int?

        init(key: Data, entry: Data, content: Int?) {
            self.key = key
            self.entry = entry
            self.content = content
        }

        private enum CodingKeys: String, CodingKey { case key, entry, content }

        /// The fields format 1 spelled out instead of `entry`.
        private enum LegacyKeys: String, CodingKey { case dtype, shape, shard, offset, size, crc32c, slices, extra }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            key = try container.decode(Data.self, forKey: .key)
            content = try container.decodeIfPresent(Int.self, forKey: .content)
            if let entry = try container.decodeIfPresent(Data.self, forKey: .entry) {
                self.entry = entry
                return
            }
            let legacy = try decoder.container(keyedBy: LegacyKeys.self)
            let slices = try legacy.decodeIfPresent(Data.self, forKey: .slices)
                .map { try Tensorflow_BundleEntryProto(serializedBytes: $0).slices.map(TensorSlice.init(proto:)) } ?? []
            let fields = BundleEntry(
                key: [UInt8](key), dtype: DType(rawValue: try legacy.decode(Int32.self, forKey: .dtype)),
                shape: try legacy.decode([Int64].self, forKey: .shape), shardID: try legacy.decode(Int32.self, forKey: .shard),
                offset: try legacy.decode(Int64.self, forKey: .offset), size: try legacy.decode(Int64.self, forKey: .size),
                maskedCRC32C: UInt32(truncatingIfNeeded: try legacy.decode(Int64.self, forKey: .crc32c)), slices: slices,
                unknownFields: try legacy.decodeIfPresent(Data.self, forKey: .extra) ?? Data())
            entry = Data(fields.encodedValue)
        }

        /// The entry decoded; `what` names the config in errors.
        func bundleEntry(what: String) throws(FormatError) -> BundleEntry {
            try BundleEntry(key: [UInt8](key), encodedValue: [UInt8](entry), file: what)
        }
    }

    struct FileRow: Codable, Sendable {
        var path: String
        var isFolder: Bool
        var size: Int64
        var content: Int?
    }

    /// A byte stream: its size and its chunks, as runs `[first, count, first, count…]` of
    /// chunk numbers (format 3) or as hex addresses (formats 1 and 2).
    struct Content: Codable, Sendable {
        var size: Int64
        var runs: [Int]?
        var chunks: [String]?
    }

    /// One layer of the manifest, in order: how many chunks its header lists and the header's
    /// sha256 (hex).
    struct PackRow: Codable, Sendable, Equatable {
        var chunks: Int
        var index: String
    }

    /// Who made the version, where and from what (see `Provenance` in the API).
    struct Provenance: Codable, Sendable, Equatable {
        var user: String?
        var host: String?
        var tool: String?
        var revision: String?
        var dirty: Bool?
        var parentDigest: String?
    }

    var format = VersionConfig.currentFormat
    /// The version's name where it was made (a pulled version keeps its origin's).
    var model: String
    var version: Int64
    var kind: String
    var createdAt: Double
    /// The absolute folder it was pushed from.
    var source: String?
    /// The parent as `NAME:N` where the version was made.
    var parent: String?
    var run: String?
    var globalStep: Int64?
    var metrics: [String: Double]?
    /// A CheckpointManager's times for this checkpoint (absent when its state file had none).
    var checkpointTimestamp: Double?
    var lastPreservedTimestamp: Double?
    var provenance: Provenance?
    var graph: Graph
    var bundle: Bundle
    var labels: [String: String]
    var metaGraphs: [MetaGraphRow]
    var tensors: [TensorRow]
    var files: [FileRow]
    var contents: [Content]
    var packs: [PackRow]?

    /// Every top-level key a config may have; any other is refused before decoding.
    static let topLevelKeys: Set<String> = [
        "format", "model", "version", "kind", "createdAt", "source", "parent", "run", "globalStep", "metrics", "provenance",
        "checkpointTimestamp", "lastPreservedTimestamp",
        "graph", "bundle", "labels", "metaGraphs", "tensors", "files", "contents", "packs",
    ]

    /// Deterministic bytes (sorted keys), so a version always has the same config digest.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// The chunk numbers of a format-3 content, in order.
    static func ordinals(_ runs: [Int]) -> [Int] {
        stride(from: 0, to: runs.count - 1, by: 2).flatMap { runs[$0]..<(runs[$0] + runs[$0 + 1]) }
    }

    /// Runs `[first, count…]` of consecutive numbers.
    static func runs(_ ordinals: [Int]) -> [Int] {
        var runs: [Int] = []
        for ordinal in ordinals {
            if runs.count >= 2, runs[runs.count - 2] + runs[runs.count - 1] == ordinal { runs[runs.count - 1] += 1 } else { runs += [ordinal, 1] }
        }
        return runs
    }
}

extension VersionConfig {
    /// A stored version's config (without its packs) and its distinct chunks, numbered in
    /// first-use order.
    static func load(version: VersionRecord, session: StoreSession) throws -> (config: VersionConfig, chunks: [ChunkReference]) {
        let versionID = version.id!
        let reader = ContentReader(session)
        var contents: [Content] = []
        var indexByID: [Int64: Int] = [:]
        var chunks: [ChunkReference] = []
        var ordinalByHash: [ContentHash: Int] = [:]
        func content(_ id: Int64?) throws -> Int? {
            guard let id else { return nil }
            if let index = indexByID[id] { return index }
            let list = try reader.chunkList(id)
            let ordinals = list.map { chunk in
                if let known = ordinalByHash[chunk.hash] { return known }
                chunks.append(chunk)
                ordinalByHash[chunk.hash] = chunks.count - 1
                return chunks.count - 1
            }
            contents.append(Content(size: list.reduce(Int64(0)) { $0 + Int64($1.rawSize) }, runs: runs(ordinals)))
            indexByID[id] = contents.count - 1
            return contents.count - 1
        }
        let model = try version.originModel ?? session.modelName(id: version.modelID) ?? "?"
        let graphText = try content(version.graphTextID)
        let metaGraphs = try session.metaGraphs(versionID: versionID).map {
            MetaGraphRow(position: $0.position, tagSet: $0.tagSet.description, content: try content($0.contentID)!)
        }
        let tensors = try session.tensors(versionID: versionID).map {
            TensorRow(key: $0.key, entry: $0.entry, content: try content($0.contentID))
        }
        let files = try session.files(versionID: versionID).map {
            FileRow(path: $0.path, isFolder: $0.isFolder, size: $0.size, content: try content($0.contentID))
        }
        let provenance = Provenance(user: version.authorUser, host: version.authorHost, tool: version.toolVersion,
                                    revision: version.gitCommit, dirty: version.gitDirty, parentDigest: version.parentDigest)
        let config = VersionConfig(
            model: model, version: version.originNumber ?? version.number, kind: version.kind.rawValue, createdAt: version.createdAt,
            source: version.source, parent: version.parentName, run: version.run == nil ? nil : model, globalStep: version.globalStep,
            metrics: try version.metrics,
            checkpointTimestamp: version.checkpointTimestamp, lastPreservedTimestamp: version.lastPreservedTimestamp,
            provenance: provenance == Provenance() ? nil : provenance,
            graph: Graph(encoding: version.graphEncoding.rawValue, schemaVersion: version.schemaVersion,
                         extra: try version.graphExtraID.map { Data(try reader.read($0)) },
                         text: graphText),
            bundle: Bundle(prefix: version.bundlePrefix, header: version.bundleHeader),
            labels: try session.labels(versionID: versionID), metaGraphs: metaGraphs, tensors: tensors, files: files, contents: contents)
        return (config, chunks)
    }
}

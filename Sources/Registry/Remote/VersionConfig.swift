import Foundation
import RegistryFormat
import RegistryStore

/// The config blob of a pushed version (`OCIMediaType.config`): every row a pull needs to
/// rebuild the version, byte streams referred to by index into `contents`, each content its
/// size and its chunk addresses (hex sha256 of the raw chunk = the layer's digest). Binary
/// fields (keys, headers, slices, unknown proto fields) are base64. Signature and collection
/// rows are not shipped: a pull derives them from the MetaGraphDef bytes, as a push does.
struct VersionConfig: Codable, Sendable {
    /// Bumped when a field changes meaning; a pull refuses formats it does not know. Format 2
    /// ships each tensor's index entry as its bytes (as the tensors table keeps it); format 1
    /// spelled out its fields, and still pulls.
    static let currentFormat = 2
    static let readableFormats = 1...2

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

    struct Content: Codable, Sendable {
        var size: Int64
        /// Hex sha256 of each raw chunk, in order.
        var chunks: [String]
    }

    var format = VersionConfig.currentFormat
    var model: String
    var version: Int64
    var kind: String
    var createdAt: Double
    var source: String?
    /// The parent as `NAME:N` where it was pushed from (informational: lineage is local).
    var parent: String?
    var run: String?
    var globalStep: Int64?
    var metrics: [String: Double]?
    /// A CheckpointManager's times for this checkpoint (absent when its state file had none).
    var checkpointTimestamp: Double?
    var lastPreservedTimestamp: Double?
    var graph: Graph
    var bundle: Bundle
    var labels: [String: String]
    var metaGraphs: [MetaGraphRow]
    var tensors: [TensorRow]
    var files: [FileRow]
    var contents: [Content]

    /// Deterministic bytes, so re-pushing a version re-uses its config blob.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Every distinct chunk in order of first use, with the plane width a local push would
    /// store it with (the dtype's for tensors; 1 for graphs, files, strings).
    var distinctChunks: [(hash: String, planeWidth: Int)] {
        var widths: [Int: Int] = [:]
        for tensor in tensors {
            if let content = tensor.content, let entry = try? tensor.bundleEntry(what: "config") { widths[content] = entry.dtype.planeWidth }
        }
        var seen: Set<String> = []
        var result: [(String, Int)] = []
        for (index, content) in contents.enumerated() {
            for chunk in content.chunks where seen.insert(chunk).inserted {
                result.append((chunk, widths[index] ?? 1))
            }
        }
        return result
    }
}

extension VersionConfig {
    /// Reads a stored version's rows into a config; `chunks` receives each chunk's id and
    /// raw size by hex address.
    static func load(version: VersionRecord, session: StoreSession, chunks: inout [String: ChunkReference]) throws -> VersionConfig {
        let versionID = version.id!
        let reader = ContentReader(session)
        var contents: [Content] = []
        var indexByID: [Int64: Int] = [:]
        func content(_ id: Int64?) throws -> Int? {
            guard let id else { return nil }
            if let index = indexByID[id] { return index }
            let list = try reader.chunkList(id)
            for chunk in list { chunks[chunk.hash.description] = chunk }
            contents.append(Content(size: list.reduce(Int64(0)) { $0 + Int64($1.rawSize) }, chunks: list.map(\.hash.description)))
            indexByID[id] = contents.count - 1
            return contents.count - 1
        }
        let model = try session.modelName(id: version.modelID) ?? "?"
        let parent = try version.parentID.flatMap { try session.versionName(id: $0) }
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
        return VersionConfig(
            model: model, version: version.number, kind: version.kind.rawValue, createdAt: version.createdAt, source: version.source,
            parent: parent, run: version.run, globalStep: version.globalStep, metrics: try version.metrics,
            checkpointTimestamp: version.checkpointTimestamp, lastPreservedTimestamp: version.lastPreservedTimestamp,
            graph: Graph(encoding: version.graphEncoding.rawValue, schemaVersion: version.schemaVersion, extra: version.graphExtra,
                         text: graphText),
            bundle: Bundle(prefix: version.bundlePrefix, header: version.bundleHeader),
            labels: try session.labels(versionID: versionID), metaGraphs: metaGraphs, tensors: tensors, files: files, contents: contents)
    }

    /// The manifest annotations: what `remote ls` shows without fetching the config.
    var annotations: [String: String] {
        var result: [String: String] = [
            OCIAnnotation.created: ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: createdAt)),
            OCIAnnotation.model: model,
            OCIAnnotation.version: String(version),
            OCIAnnotation.kind: kind,
            OCIAnnotation.tagSets: metaGraphs.sorted { $0.position < $1.position }.map(\.tagSet).joined(separator: ";"),
        ]
        if let globalStep { result[OCIAnnotation.globalStep] = String(globalStep) }
        for (key, value) in labels { result[OCIAnnotation.labelPrefix + key] = value }
        return result
    }
}

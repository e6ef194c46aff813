import Foundation
import GRDB

/// The config blob of a pushed version (`OCIMediaType.config`): every row a pull needs to
/// rebuild the version, byte streams referred to by index into `contents`, each content its
/// size and its chunk addresses (hex sha256 of the raw chunk = the layer's digest). Binary
/// fields (keys, headers, slices, unknown proto fields) are base64. Signature and collection
/// rows are not shipped: a pull derives them from the MetaGraphDef bytes, as a push does.
struct VersionConfig: Codable, Sendable {
    /// Bumped when a field changes meaning; a pull refuses formats it does not know.
    static let currentFormat = 1

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

    /// Every `BundleEntryProto` field, as the tensors table keeps it.
    struct TensorRow: Codable, Sendable {
        var key: Data
        var name: String
        var dtype: Int32
        var shape: [Int64]
        var shard: Int32
        var offset: Int64
        var size: Int64
        /// The masked crc32c, as stored in the index.
        var crc32c: Int64
        var slices: Data?
        var extra: Data?
        var content: Int?
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

    /// Every distinct chunk in order of first use, with the element width a local push would
    /// store it with (the dtype's shuffle width for tensors; 1 for graphs, files, strings).
    var distinctChunks: [(hash: String, elementSize: Int)] {
        var widths: [Int: Int] = [:]
        for tensor in tensors { if let content = tensor.content { widths[content] = DType(rawValue: tensor.dtype).shuffleWidth } }
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
    static func load(version: VersionRecord, db: Database, chunks: inout [String: ChunkReference]) throws -> VersionConfig {
        let versionID = version.id!
        let reader = ContentReader(db: db)
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
        let model = try String.fetchOne(db, sql: "SELECT name FROM models WHERE id = ?", arguments: [version.modelID]) ?? "?"
        var parent: String?
        if let parentID = version.parentID, let row = try Row.fetchOne(db, sql: """
            SELECT models.name, versions.number FROM versions JOIN models ON models.id = versions.model_id WHERE versions.id = ?
            """, arguments: [parentID]) {
            parent = "\(row[0] as String):\(row[1] as Int64)"
        }
        let labels = try Row.fetchAll(db, sql: "SELECT key, value FROM labels WHERE version_id = ?", arguments: [versionID])
            .reduce(into: [String: String]()) { $0[$1[0]] = $1[1] }
        let graphText = try content(version.graphTextID)
        let metaGraphs = try MetaGraphRecord.filter(Column("version_id") == versionID).order(Column("position")).fetchAll(db).map {
            MetaGraphRow(position: $0.position, tagSet: $0.tagSet, content: try content($0.contentID)!)
        }
        let tensors = try TensorRecord.filter(Column("version_id") == versionID).order(Column("id")).fetchAll(db).map {
            TensorRow(key: $0.key, name: $0.name, dtype: $0.dtype, shape: Shape.parse($0.shape) ?? [], shard: $0.shardID, offset: $0.offset,
                      size: $0.size, crc32c: $0.crc32c, slices: $0.slices, extra: $0.extra, content: try content($0.contentID))
        }
        let files = try FileRecord.filter(Column("version_id") == versionID).order(Column("path")).fetchAll(db).map {
            FileRow(path: $0.path, isFolder: $0.isFolder, size: $0.size, content: try content($0.contentID))
        }
        let metrics = try version.metricsJSON.map { try JSONDecoder().decode([String: Double].self, from: Data($0.utf8)) }
        return VersionConfig(
            model: model, version: version.number, kind: version.kind, createdAt: version.createdAt, source: version.source,
            parent: parent, run: version.run, globalStep: version.globalStep, metrics: metrics,
            graph: Graph(encoding: version.graphEncoding, schemaVersion: version.schemaVersion, extra: version.graphExtra, text: graphText),
            bundle: Bundle(prefix: version.bundlePrefix, header: version.bundleHeader),
            labels: labels, metaGraphs: metaGraphs, tensors: tensors, files: files, contents: contents)
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

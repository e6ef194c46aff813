import Foundation
import GRDB

/// Records a pulled version from its config, inside the caller's transaction, once every
/// chunk is stored: contents from chunk addresses, the version row, meta graphs (their tags,
/// signatures and collections derived from the MetaGraphDef bytes, as a folder push does),
/// tensors and files. Everything the config says is checked before it is believed: indices,
/// sizes, tag sets against the graphs' own, bundle entries against TensorFlow's rules, paths.
struct RemoteImport {
    let config: VersionConfig
    let what: String

    private func invalid(_ detail: String) -> RemoteError { .notAVersion(what: what, detail: detail) }

    private func content(_ index: Int?, _ ids: [Int64]) throws -> Int64? {
        guard let index else { return nil }
        guard ids.indices.contains(index) else { throw invalid("content index \(index) is out of range") }
        return ids[index]
    }

    func insert(into version: inout VersionRecord, db: Database, writer: ContentWriter) throws -> (tensors: Int, files: Int) {
        guard ["saved_model", "checkpoint"].contains(config.kind) else { throw invalid("unknown kind '\(config.kind)'") }
        guard ["binary", "text"].contains(config.graph.encoding) else { throw invalid("unknown graph encoding '\(config.graph.encoding)'") }
        var missing = 0
        for hash in Set(config.contents.flatMap(\.chunks)) where !(try writer.hasChunk(ContentHash(hex: hash)!)) { missing += 1 }
        if missing > 0 { throw RemoteError.chunksVanished(count: missing) }
        let ids = try config.contents.map { try writer.storeContent(chunks: $0.chunks.map { ContentHash(hex: $0)! }, size: $0.size) }

        version.createdAt = config.createdAt
        version.graphEncoding = config.graph.encoding
        version.schemaVersion = config.graph.schemaVersion
        version.graphExtra = config.graph.extra
        version.graphTextID = try content(config.graph.text, ids)
        if let prefix = config.bundle.prefix { try RelativePath.validate(prefix, file: what + " bundle prefix") }
        version.bundlePrefix = config.bundle.prefix
        version.bundleHeader = config.bundle.header
        try version.insert(db)
        let versionID = version.id!

        let reader = ContentReader(db: db)
        var graphs: [MetaGraph] = []
        for (position, row) in config.metaGraphs.sorted(by: { $0.position < $1.position }).enumerated() {
            guard row.position == Int64(position) else { throw invalid("meta graph positions are not 0, 1, 2…") }
            let graph = try MetaGraph(bytes: try reader.read(try content(row.content, ids)!), file: "\(what) meta graph {\(row.tagSet)}")
            guard graph.tagSet.description == row.tagSet else {
                throw RemoteError.damaged(what: "\(what) meta graph {\(row.tagSet)}", detail: "its bytes are tagged {\(graph.tagSet)}")
            }
            graphs.append(graph)
        }
        try SavedModelImporter.insertMetaGraphs(graphs, versionID: versionID, db: db, writer: writer)

        let header = try config.bundle.header.map { BundleHeader(proto: try Tensorflow_BundleHeaderProto(serializedBytes: $0)) } ?? BundleHeader()
        let insertTensor = try db.cachedStatement(sql: """
            INSERT INTO tensors (version_id, key, name, dtype, shape, shard_id, offset, size, crc32c, slices, extra, content_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for row in config.tensors {
            let slices = try row.slices.map { try Tensorflow_BundleEntryProto(serializedBytes: $0).slices.map(TensorSlice.init(proto:)) } ?? []
            let entry = BundleEntry(key: [UInt8](row.key), dtype: DType(rawValue: row.dtype), shape: row.shape, shardID: row.shard,
                                    offset: row.offset, size: row.size, maskedCRC32C: UInt32(truncatingIfNeeded: row.crc32c),
                                    slices: slices, unknownFields: row.extra ?? Data())
            try entry.validate(header: header, file: what)
            let contentID = try content(row.content, ids)
            if let index = row.content, config.contents[index].size != row.size {
                throw invalid("tensor \(row.name) is \(row.size) bytes, its content \(config.contents[index].size)")
            }
            try insertTensor.execute(arguments: [versionID, row.key, row.name, row.dtype, Shape.json(row.shape), row.shard, row.offset,
                                                 row.size, row.crc32c, row.slices, row.extra, contentID])
        }

        var files = 0
        for row in config.files {
            try RelativePath.validate(row.path, file: what)
            let contentID = try content(row.content, ids)
            if row.isFolder {
                guard contentID == nil else { throw invalid("folder \(row.path) has contents") }
            } else {
                guard let index = row.content, config.contents[index].size == row.size else {
                    throw invalid("file \(row.path) has no content of its \(row.size) bytes")
                }
                files += 1
            }
            try FileRecord(versionID: versionID, path: row.path, isFolder: row.isFolder, size: row.isFolder ? 0 : row.size,
                           contentID: contentID).insert(db)
        }
        return (config.tensors.count, files)
    }
}

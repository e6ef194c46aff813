import Foundation
import GRDB

/// Brings a SavedModel folder into the store inside the caller's transaction: the version row,
/// one row per MetaGraphDef with its tags, signatures and collections, one row per tensor with
/// its bytes streamed into chunks (crc32c checked on the way), and every other file.
struct SavedModelImporter {
    let model: SavedModelDirectory

    /// Bytes the import will read, for progress bars.
    var totalBytes: Int64 {
        let tensors = model.variables?.index.entries.reduce(Int64(0)) { $0 + $1.size } ?? 0
        let graphs = model.graph.metaGraphs.reduce(Int64(0)) { $0 + Int64($1.bytes.count) }
        return tensors + graphs
    }

    /// Inserts `version` (completed with the graph and bundle fields) and everything under it.
    func run(version: inout VersionRecord, db: Database, writer: ContentWriter) throws {
        switch model.graph.encoding {
        case .binary:
            version.graphEncoding = "binary"
        case .text(let original):
            version.graphEncoding = "text"
            version.graphTextID = try writer.store(original)
        }
        version.schemaVersion = model.graph.schemaVersion
        version.graphExtra = model.graph.otherFields.isEmpty ? nil : Data(model.graph.otherFields)
        if let variables = model.variables {
            version.bundlePrefix = SavedModelDirectory.variablesPrefix
            version.bundleHeader = Data(variables.index.header.encodedValue)
        }
        try version.insert(db)
        let versionID = version.id!
        try Self.insertMetaGraphs(model.graph.metaGraphs, versionID: versionID, db: db, writer: writer)
        if let variables = model.variables {
            try Self.insertTensors(variables, versionID: versionID, parentID: version.parentID, db: db, writer: writer)
        }
        try Self.insertFiles(root: model.path, listing: model.listing, files: model.otherFiles, versionID: versionID, db: db, writer: writer)
    }

    static func insertMetaGraphs(_ graphs: [MetaGraph], versionID: Int64, db: Database, writer: ContentWriter) throws {
        for (position, graph) in graphs.enumerated() {
            let contentID = try writer.store(graph.bytes)
            var record = MetaGraphRecord(versionID: versionID, position: Int64(position), tagSet: graph.tagSet.description, contentID: contentID)
            try record.insert(db)
            let graphID = record.id!
            for tag in graph.tagSet.tags {
                try db.execute(sql: "INSERT INTO meta_graph_tags (meta_graph_id, tag) VALUES (?, ?)", arguments: [graphID, tag])
            }
            for entry in graph.proto.signatureDef {
                var signature = SignatureRecord(metaGraphID: graphID, key: entry.key, method: entry.value.methodName)
                try signature.insert(db)
                for (direction, tensors) in [("input", entry.value.inputs.map { ($0.key, $0.value) }),
                                             ("output", entry.value.outputs.map { ($0.key, $0.value) })] {
                    for (key, info) in tensors {
                        try SignatureTensorRecord(signatureID: signature.id!, direction: direction, key: key,
                                                  tensorName: Self.tensorName(info), dtype: DType(info.dtype).name,
                                                  shape: info.tensorShape.unknownRank ? nil : Shape.json(info.tensorShape.dim.map(\.size)))
                            .insert(db)
                    }
                }
            }
            for entry in graph.proto.collectionDef {
                let (kind, size) = Self.collectionKind(entry.value)
                try CollectionRecord(metaGraphID: graphID, key: entry.key, kind: kind, size: Int64(size)).insert(db)
            }
        }
    }

    /// Tensors of the parent version with the same key are the bases of deltas. Each row
    /// is inserted once its content is recorded, in index order, while the writer's pipeline
    /// runs on through the next tensors.
    static func insertTensors(_ reader: BundleReader, versionID: Int64, parentID: Int64?, db: Database, writer: ContentWriter) throws {
        // Data-file order, so that each shard is read front to back.
        let ordered = reader.index.entries.sorted { ($0.shardID, $0.offset, $0.key.count) < ($1.shardID, $1.offset, $1.key.count) }
        for entry in ordered {
            let insert = { (contentID: Int64?) in
                var record = TensorRecord(versionID: versionID, entry: entry, contentID: contentID)
                try record.insert(db)
            }
            guard entry.slices.isEmpty else {
                try writer.afterPending { try insert(nil) }
                continue
            }
            let base = try TensorRecord.contentID(versionID: parentID, key: entry.key, db: db)
            if entry.dtype.elementSize != nil {
                // Fixed-size elements: the writer's workers read the shard themselves.
                let file = reader.dataFile(shard: entry.shardID)
                try writer.store(file: file, offset: entry.offset, count: entry.size, dtype: entry.dtype, base: base) { contentID, crc in
                    try BundleReader.check(entry, crc: crc, file: file.path)
                    try insert(contentID)
                }
            } else {
                try writer.begin(dtype: entry.dtype, base: base)
                try reader.stream(entry, chunkSize: writer.chunkSize) { try writer.append($0) }
                try insert(try writer.finish())
            }
        }
        try writer.flush()
    }

    static func insertFiles(root: String, listing: DirectoryListing, files: [String], versionID: Int64, db: Database, writer: ContentWriter) throws {
        for folder in listing.directories {
            try FileRecord(versionID: versionID, path: folder, isFolder: true, size: 0, contentID: nil).insert(db)
        }
        for path in files {
            let file = try ReadableFile(path: root + "/" + path)
            try writer.store(file: file, offset: 0, count: file.size, dtype: nil, base: nil) { contentID, _ in
                try FileRecord(versionID: versionID, path: path, isFolder: false, size: file.size, contentID: contentID).insert(db)
            }
        }
        try writer.flush()
    }

    static func tensorName(_ info: Tensorflow_TensorInfo) -> String {
        switch info.encoding {
        case .name(let name): return name
        case .cooSparse(let sparse): return sparse.valuesTensorName
        case .compositeTensor: return "(composite)"
        case nil: return ""
        }
    }

    static func collectionKind(_ collection: Tensorflow_CollectionDef) -> (String, Int) {
        switch collection.kind {
        case .nodeList(let list): return ("node_list", list.value.count)
        case .bytesList(let list): return ("bytes_list", list.value.count)
        case .int64List(let list): return ("int64_list", list.value.count)
        case .floatList(let list): return ("float_list", list.value.count)
        case .anyList(let list): return ("any_list", list.value.count)
        case nil: return ("empty", 0)
        }
    }
}

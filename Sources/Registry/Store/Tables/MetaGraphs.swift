import GRDB
import RegistryFormat

/// The `meta_graphs` table and the rows derived from each MetaGraphDef's bytes: its tags,
/// signatures (with their inputs and outputs) and collections, so that queries never decode
/// a graph.
extension StoreSession {
    /// Records a version's MetaGraphDefs in order, each as a content plus its derived rows.
    package func insertMetaGraphs(_ graphs: [MetaGraph], versionID: Int64, writer: ContentWriter) throws {
        for (position, graph) in graphs.enumerated() {
            let contentID = try writer.store(graph.bytes)
            var record = MetaGraphRecord(versionID: versionID, position: Int64(position), tagSet: graph.tagSet, contentID: contentID)
            try record.insert(db)
            try insertDerivedRows(of: graph, metaGraphID: record.id!)
        }
    }

    private func insertDerivedRows(of graph: MetaGraph, metaGraphID: Int64) throws {
        for tag in graph.tagSet.tags {
            try db.execute(sql: "INSERT INTO meta_graph_tags (meta_graph_id, tag) VALUES (?, ?)", arguments: [metaGraphID, tag])
        }
        for signature in graph.signatures {
            var record = SignatureRecord(metaGraphID: metaGraphID, key: signature.key, method: signature.method)
            try record.insert(db)
            for (direction, tensors) in [(SignatureTensorRecord.Direction.input, signature.inputs), (.output, signature.outputs)] {
                for tensor in tensors {
                    try SignatureTensorRecord(signatureID: record.id!, direction: direction, key: tensor.key, tensorName: tensor.name,
                                              dtype: tensor.dtype.name, shape: tensor.shape.map(Shape.json)).insert(db)
                }
            }
        }
        for collection in graph.collections {
            try CollectionRecord(metaGraphID: metaGraphID, key: collection.key, kind: collection.kind, size: Int64(collection.size))
                .insert(db)
        }
    }

    /// A version's MetaGraphDef rows in order.
    package func metaGraphs(versionID: Int64) throws -> [MetaGraphRecord] {
        try MetaGraphRecord.filter(Column("version_id") == versionID).order(Column("position")).fetchAll(db)
    }

    /// A meta graph's signatures by key, each with its tensors by key.
    package func signatures(metaGraphID: Int64) throws -> [(SignatureRecord, [SignatureTensorRecord])] {
        try SignatureRecord.filter(Column("meta_graph_id") == metaGraphID).order(Column("key")).fetchAll(db).map { signature in
            (signature, try SignatureTensorRecord.filter(Column("signature_id") == signature.id!).order(Column("key")).fetchAll(db))
        }
    }

    package func collections(metaGraphID: Int64) throws -> [CollectionRecord] {
        try CollectionRecord.filter(Column("meta_graph_id") == metaGraphID).order(Column("key")).fetchAll(db)
    }
}

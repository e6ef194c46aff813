import Foundation
import RegistryFormat
import RegistryStore

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

    /// The version's kind, if it is one this registry knows.
    func kind() throws -> VersionKind {
        guard let kind = VersionKind(rawValue: config.kind) else { throw invalid("unknown kind '\(config.kind)'") }
        return kind
    }

    func insert(into version: inout VersionRecord, session: StoreSession, writer: ContentWriter) throws -> (tensors: Int, files: Int) {
        guard let encoding = GraphEncoding(rawValue: config.graph.encoding) else {
            throw invalid("unknown graph encoding '\(config.graph.encoding)'")
        }
        var missing = 0
        for hash in Set(config.contents.flatMap(\.chunks)) where !(try writer.hasChunk(ContentHash(hex: hash)!)) { missing += 1 }
        if missing > 0 { throw RemoteError.chunksVanished(count: missing) }
        let ids = try config.contents.map { try writer.storeContent(chunks: $0.chunks.map { ContentHash(hex: $0)! }, size: $0.size) }

        version.createdAt = config.createdAt
        version.checkpointTimestamp = config.checkpointTimestamp
        version.lastPreservedTimestamp = config.lastPreservedTimestamp
        version.graphEncoding = encoding
        version.schemaVersion = config.graph.schemaVersion
        version.graphExtra = config.graph.extra
        version.graphTextID = try content(config.graph.text, ids)
        if let prefix = config.bundle.prefix { try RelativePath.validate(prefix, file: what + " bundle prefix") }
        version.bundlePrefix = config.bundle.prefix
        version.bundleHeader = config.bundle.header
        try session.insert(&version)
        let versionID = version.id!

        let reader = ContentReader(session)
        var graphs: [MetaGraph] = []
        for (position, row) in config.metaGraphs.sorted(by: { $0.position < $1.position }).enumerated() {
            guard row.position == Int64(position) else { throw invalid("meta graph positions are not 0, 1, 2…") }
            let graph = try MetaGraph(bytes: try reader.read(try content(row.content, ids)!), file: "\(what) meta graph {\(row.tagSet)}")
            guard graph.tagSet.description == row.tagSet else {
                throw RemoteError.damaged(what: "\(what) meta graph {\(row.tagSet)}", detail: "its bytes are tagged {\(graph.tagSet)}")
            }
            graphs.append(graph)
        }
        try session.insertMetaGraphs(graphs, versionID: versionID, writer: writer)

        let header = try config.bundle.header.map { try BundleHeader(encodedValue: [UInt8]($0), file: what + " bundle header") } ?? BundleHeader()
        for row in config.tensors {
            let entry = try row.bundleEntry(what: what)
            try entry.validate(header: header, file: what)
            let contentID = try content(row.content, ids)
            if let index = row.content, config.contents[index].size != entry.size {
                throw invalid("tensor \(entry.displayName) is \(entry.size) bytes, its content \(config.contents[index].size)")
            }
            try session.insertTensor(entry, versionID: versionID, contentID: contentID)
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
            try session.insertFile(FileRecord(versionID: versionID, path: row.path, isFolder: row.isFolder,
                                              size: row.isFolder ? 0 : row.size, contentID: contentID))
        }
        return (config.tensors.count, files)
    }
}

import Foundation
import RegistryFormat
import RegistryStore

/// Records a pulled version from its config, inside the caller's transaction, once every
/// chunk is stored. The config is checked first as a local push checks a folder (`validate`),
/// so that a remote can plant nothing a push would refuse: kinds, encodings, label keys,
/// duplicate rows, paths (and the names of the graph and bundle files), bundle entries against
/// TensorFlow's rules, tensors that overlap or spread past their sizes in a shard, contents
/// that do not add up; then each tensor's crc32c against its bytes (`insert`).
struct RemoteImport {
    let config: VersionConfig
    /// Each distinct chunk's address and size, by number.
    let chunks: [PackPlan.Chunk]
    /// Each content's chunk numbers.
    let contentChunks: [[Int]]
    /// crc32c of the chunks received by this pull, by number (nil for those already here).
    let crcs: [UInt32?]
    let what: String

    /// Longest file name component and path a local file system (and so a push) allows.
    static let maxNameBytes = 255
    static let maxPathBytes = 4096

    private func invalid(_ detail: String) -> RemoteError { .notAVersion(what: "the config of \(what)", detail: detail) }

    /// Everything that can be checked without the store.
    func validate() throws {
        guard VersionKind(rawValue: config.kind) != nil else { throw invalid("unknown kind '\(config.kind)'") }
        guard GraphEncoding(rawValue: config.graph.encoding) != nil else { throw invalid("unknown graph encoding '\(config.graph.encoding)'") }
        for key in config.labels.keys where key.isEmpty || key.contains("=") || key.contains(where: \.isNewline) {
            throw invalid("label key '\(Self.printable(key))' is not a label key (non-empty, without '=' or line breaks)")
        }
        func checkContent(_ index: Int?, _ name: String) throws {
            guard let index else { return }
            guard config.contents.indices.contains(index) else { throw invalid("\(name) names content \(index), which is not there") }
        }
        try checkContent(config.graph.text, "the graph text")
        var positions: Set<Int64> = []
        for row in config.metaGraphs {
            guard positions.insert(row.position).inserted else {
                throw invalid("two meta graphs at position \(row.position) (UNIQUE constraint failed)")
            }
            try checkContent(row.content, "meta graph {\(row.tagSet)}")
        }
        guard positions == Set((0..<Int64(config.metaGraphs.count))) else { throw invalid("meta graph positions are not 0, 1, 2…") }
        if let prefix = config.bundle.prefix { try checkPath(prefix, "bundle prefix") }
        try validateTensors()
        try validateFiles()
    }

    private func validateTensors() throws {
        if config.bundle.header == nil && !config.tensors.isEmpty { throw invalid("it has tensors but no bundle header") }
        let header = try config.bundle.header.map { try BundleHeader(encodedValue: [UInt8]($0), file: "the config of \(what) (bundle header)") } ?? BundleHeader()
        var keys: Set<Data> = []
        var byShard: [Int32: [(offset: Int64, size: Int64, name: String)]] = [:]
        for row in config.tensors {
            let entry = try row.bundleEntry(what: "the config of \(what)")
            guard keys.insert(row.key).inserted else {
                throw invalid("tensor '\(Self.printable(entry.displayName))' is listed twice (UNIQUE constraint failed)")
            }
            try entry.validate(header: header, file: "the config of \(what)")
            try checkContentSize(row.content, entry.size, "tensor '\(Self.printable(entry.displayName))'", required: entry.slices.isEmpty)
            if entry.slices.isEmpty { byShard[entry.shardID, default: []].append((entry.offset, entry.size, entry.displayName)) }
        }
        for (shard, extents) in byShard {
            let total = extents.reduce(Int64(0)) { $0 + $1.size }
            var end: Int64 = 0
            for extent in extents.sorted(by: { ($0.offset, $0.size) < ($1.offset, $1.size) }) {
                guard extent.offset >= end else {
                    throw invalid("tensor '\(Self.printable(extent.name))' overlaps another in shard \(shard)")
                }
                end = extent.offset + extent.size
            }
            guard end <= total else {
                throw invalid("the tensors of shard \(shard) spread to byte \(end) but hold \(total) bytes")
            }
        }
    }

    private func validateFiles() throws {
        let prefix = config.bundle.prefix
        var paths: Set<String> = []
        for row in config.files {
            try checkPath(row.path, "file")
            guard paths.insert(row.path).inserted else { throw invalid("'\(Self.printable(row.path))' is listed twice (UNIQUE constraint failed)") }
            let reserved = ["saved_model.pb", "saved_model.pbtxt"].contains(row.path)
                || prefix.map { row.path == $0 + ".index" || row.path.hasPrefix($0 + ".data-") } == true
            if reserved && !row.isFolder { throw invalid("a file row is named '\(row.path)', which the graph or the bundle writes") }
            if row.isFolder {
                guard row.content == nil, row.size == 0 else { throw invalid("folder \(Self.printable(row.path)) has contents") }
            } else {
                guard row.content != nil else { throw invalid("file \(Self.printable(row.path)) has no content") }
                try checkContentSize(row.content, row.size, "file \(Self.printable(row.path))", required: true)
            }
        }
    }

    private func checkPath(_ path: String, _ kind: String) throws {
        guard path.utf8.count <= Self.maxPathBytes,
              path.split(separator: "/").allSatisfy({ $0.utf8.count <= Self.maxNameBytes }) else {
            throw invalid("a \(kind) name is longer than a file system allows (\(path.utf8.count) bytes)")
        }
        try RelativePath.validate(path, file: "the config of \(what)")
    }

    /// A content's size must be what its row says, and what its chunks hold.
    private func checkContentSize(_ index: Int?, _ size: Int64, _ name: String, required: Bool) throws {
        guard let index else {
            if required && size > 0 { throw invalid("\(name) of \(size) bytes has no content") }
            return
        }
        guard config.contents.indices.contains(index) else { throw invalid("\(name) names content \(index), which is not there") }
        guard config.contents[index].size == size else {
            throw invalid("\(name) is \(size) bytes, its content \(config.contents[index].size)")
        }
    }

    /// Text from a remote with control characters replaced, for error messages.
    static func printable(_ text: String) -> String {
        let clean = String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
        return clean.count > 200 ? String(clean.prefix(200)) + "…" : clean
    }

    /// Inserts the version (whose provenance the caller set) and everything under it.
    func insert(into version: inout VersionRecord, session: StoreSession, writer: ContentWriter) throws -> (tensors: Int, files: Int) {
        let ids = try contentChunks.enumerated().map { index, ordinals in
            try writer.storeContent(chunks: ordinals.map { chunks[$0].hash }, size: config.contents[index].size)
        }
        func content(_ index: Int?) -> Int64? { index.map { ids[$0] } }
        version.createdAt = config.createdAt
        version.checkpointTimestamp = config.checkpointTimestamp
        version.lastPreservedTimestamp = config.lastPreservedTimestamp
        version.graphEncoding = GraphEncoding(rawValue: config.graph.encoding)!
        version.schemaVersion = config.graph.schemaVersion
        version.graphExtraID = try config.graph.extra.map { try writer.store([UInt8]($0)) }
        version.graphTextID = content(config.graph.text)
        if let prefix = config.bundle.prefix { try RelativePath.validate(prefix, file: "the remote version's bundle prefix") }
        version.bundlePrefix = config.bundle.prefix
        version.bundleHeader = config.bundle.header
        try session.insert(&version)
        let versionID = version.id!

        let reader = ContentReader(session, verifyHashes: true)
        var graphs: [MetaGraph] = []
        for row in config.metaGraphs.sorted(by: { $0.position < $1.position }) {
            let graph = try MetaGraph(bytes: try reader.read(content(row.content)!), file: "\(what) meta graph {\(row.tagSet)}")
            guard graph.tagSet.description == row.tagSet else {
                throw RemoteError.damaged(what: "\(what) meta graph {\(row.tagSet)}", detail: "its bytes are tagged {\(graph.tagSet)}")
            }
            try graph.validateAssets(file: "\(what) meta graph {\(row.tagSet)}")
            graphs.append(graph)
        }
        try session.insertMetaGraphs(graphs, versionID: versionID, writer: writer)

        for row in config.tensors {
            let entry = try row.bundleEntry(what: what)
            if let index = row.content { try checkChecksum(entry, content: index, id: ids[index], session: session) }
            try session.insertTensor(entry, versionID: versionID, contentID: content(row.content))
        }
        var files = 0
        for row in config.files {
            if !row.isFolder { files += 1 }
            try session.insertFile(FileRecord(versionID: versionID, path: row.path, isFolder: row.isFolder,
                                              size: row.isFolder ? 0 : row.size, contentID: content(row.content)))
        }
        return (config.tensors.count, files)
    }

    /// A tensor's crc32c against its bytes, as a push checks it against the data file: from the
    /// crcs of the chunks this pull received, else by reading the content back.
    private func checkChecksum(_ entry: BundleEntry, content index: Int, id: Int64, session: StoreSession) throws {
        let name = "\(what) tensor '\(Self.printable(entry.displayName))'"
        let ordinals = contentChunks[index]
        if entry.dtype.elementSize != nil, ordinals.allSatisfy({ crcs[$0] != nil }) {
            let combiner = CRC32C.Combiner(length: ContentWriter.defaultChunkSize)
            let crc = ordinals.reduce(UInt32(0)) { combiner.combine($0, crcs[$1]!, secondLength: chunks[$1].size) }
            guard crc == CRC32C.unmask(entry.maskedCRC32C) else {
                throw RemoteError.damaged(what: name, detail: "its bytes' crc32c is \(crc), its entry says \(CRC32C.unmask(entry.maskedCRC32C))")
            }
            return
        }
        let bytes = try ContentReader(session).read(id)
        do {
            try BundleReader.verify(entry, payload: bytes, file: name)
        } catch {
            throw RemoteError.damaged(what: name, detail: error.detail)
        }
    }
}

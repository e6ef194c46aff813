import Foundation
import RegistryFormat
import RegistryStore

/// Writes a stored version out as a folder, the mirror of the importers: the graph file
/// rebuilt from each MetaGraphDef's bytes, the bundle's data shards with every tensor at
/// its original offset (crc32c checked on the way), `variables.index` re-encoded from the
/// tensor rows, other files from their contents. Everything goes into a temporary folder
/// beside the target, is fsynced, and is renamed into place only when complete.
package struct FolderExporter {
    let session: StoreSession
    let version: VersionRecord
    /// Bytes written so far, in steps; `expecting` is told the total first (every byte
    /// `write(into:layout:)` will write), so that a progress bar ends at its total.
    package var progress: ((Int64) -> Void)?
    package var expecting: ((Int64) -> Void)?

    package init(session: StoreSession, version: VersionRecord) {
        self.session = session
        self.version = version
    }

    /// How the version's files are laid out.
    package enum Layout {
        /// The folder as pushed; `tagSets` keeps only the MetaGraphDefs with those tag sets.
        case savedModel(tagSets: [TagSet]?)
        /// Only the bundle, under `prefix`, and a `prefix.meta` (a stored `.meta`, else the
        /// `{train}` MetaGraphDef): one checkpoint of a `tf.train.Saver` folder.
        case checkpoint(prefix: String)
    }

    /// Writes into `target` through a staged folder that is renamed into place when complete.
    package func export(to target: String, tagSets: [TagSet]?, force: Bool) throws -> Int64 {
        try StagedFolder.write(to: target, force: force) { staging in
            try FileSystem.createDirectory(staging)
            return try write(into: staging, layout: .savedModel(tagSets: tagSets))
        }
    }

    /// Writes the version's files into `folder`, which exists. The bundle's rows are checked
    /// before any file is written: a tampered layout is refused here.
    package func write(into folder: String, layout: Layout) throws -> Int64 {
        let versionID = version.id!
        let bundle = try StoredBundle(version: version, name: try session.versionName(id: versionID) ?? "version \(version.number)",
                                      session: session)
        let files = try session.files(versionID: versionID)
        switch layout {
        case .checkpoint(let prefix): return try writeCheckpoint(bundle, files: files, into: folder, prefix: prefix)
        case .savedModel(let tagSets): return try writeSavedModel(bundle, files: files, into: folder, tagSets: tagSets)
        }
    }

    /// A `tf.train.Saver` checkpoint: the bundle under `prefix`, and its `.meta` (the stored
    /// file, else the `{train}` meta graph).
    private func writeCheckpoint(_ bundle: StoredBundle?, files: [FileRecord], into folder: String, prefix: String) throws -> Int64 {
        try RelativePath.validate(prefix, file: "checkpoint prefix")
        var written: Int64 = 0
        if let bundle { written += try writeBundle(bundle, into: folder, prefix: prefix, reader: ContentReader(session)) }
        var meta = files.first { $0.path.hasSuffix(".meta") && !$0.isFolder }?.contentID
        if meta == nil {
            meta = try session.metaGraphs(versionID: version.id!).first { $0.tagSet == TagSet(["train"]) }?.contentID
        }
        if let meta {
            let bytes = try ContentReader(session, verifyHashes: true).read(meta)
            try FileSystem.write(bytes, to: folder + "/" + prefix + ".meta", sync: true)
            written += Int64(bytes.count)
        }
        return written
    }

    /// A SavedModel folder: its folders, the graph file, the bundle, every other file
    /// (`fingerprint.pb` fingerprints the full graph set: not with a subset); all fsynced.
    private func writeSavedModel(_ bundle: StoredBundle?, files: [FileRecord], into folder: String, tagSets: [TagSet]?) throws -> Int64 {
        for record in files where record.isFolder {
            try RelativePath.validate(record.path, file: "stored folder name")
            try FileSystem.createDirectory(folder + "/" + record.path)
        }
        let graphFile = try self.graphFile(tagSets: tagSets)
        let tensorBytes = version.bundlePrefix == nil ? 0 : (bundle?.tensors ?? []).reduce(Int64(0)) {
            $0 + ($1.contentID == nil || !$1.entry.slices.isEmpty ? 0 : $1.entry.size)
        }
        let copied = files.filter { !$0.isFolder && $0.contentID != nil && !(tagSets != nil && $0.path == "fingerprint.pb") }
        expecting?(Int64(graphFile?.bytes.count ?? 0) + tensorBytes + copied.reduce(Int64(0)) { $0 + $1.size })
        var written: Int64 = 0
        var synced: [WritableFile] = []
        if let graphFile {
            let file = try WritableFile(path: folder + "/" + graphFile.name)
            try file.append(graphFile.bytes)
            synced.append(file)
            written += Int64(graphFile.bytes.count)
            progress?(Int64(graphFile.bytes.count))
        }
        if let prefix = version.bundlePrefix, let bundle {
            written += try writeBundle(bundle, into: folder, prefix: prefix, reader: ContentReader(session))
        }
        for record in copied {
            try RelativePath.validate(record.path, file: "stored file name")
            guard let contentID = record.contentID else { continue }
            let file = try WritableFile(path: folder + "/" + record.path)
            let size = try ContentReader(session, verifyHashes: true).write(contentID, to: file, at: 0, progress: progress).size
            guard size == record.size else {
                throw StoreError.damaged(what: record.path, detail: "stored \(size) bytes, recorded \(record.size)")
            }
            synced.append(file)
            written += size
        }
        for file in synced {
            try file.sync()
            try file.close()
        }
        for record in files where record.isFolder { try FileSystem.syncFolder(folder + "/" + record.path) }
        try FileSystem.syncFolder(folder)
        return written
    }

    /// The graph file's name and bytes (nil when the version has none): the text graph as
    /// pushed, or `saved_model.pb` from the chosen meta graphs' own bytes and the unknown
    /// top-level fields. A tag set the version lacks is refused, naming those it has.
    private func graphFile(tagSets: [TagSet]?) throws -> (name: String, bytes: [UInt8])? {
        let graphs = try session.metaGraphs(versionID: version.id!)
        guard !graphs.isEmpty || version.graphEncoding == .text else { return nil }
        var chosen = graphs
        if let tagSets {
            guard version.graphEncoding != .text else { throw InterchangeError.subsetOfTextGraph(version: "version \(version.number)") }
            let wanted = Set(tagSets)
            chosen = graphs.filter { wanted.contains($0.tagSet) }
            let missing = wanted.subtracting(chosen.map(\.tagSet))
            if !missing.isEmpty {
                throw InterchangeError.noSuchTagSet(requested: missing.sorted(), available: graphs.map(\.tagSet))
            }
        }
        let reader = ContentReader(session, verifyHashes: true)
        if version.graphEncoding == .text, tagSets == nil, let textID = version.graphTextID {
            return (SavedModelFile.textName, try reader.read(textID))
        }
        let graphBytes = try chosen.map { try reader.read($0.contentID) }
        let otherFields = try version.graphExtraID.map { try reader.read($0) } ?? []
        return (SavedModelFile.binaryName,
                SavedModelFile.encodeBinary(schemaVersion: version.schemaVersion, metaGraphs: graphBytes, otherFields: otherFields))
    }

    /// The version's bundle under `prefix` in `folder`: data shards with every tensor at its
    /// original offset, written one shard at a time (one data file open whatever the shard
    /// count), then the index from the tensor rows; fsynced.
    private func writeBundle(_ bundle: StoredBundle, into folder: String, prefix: String, reader: ContentReader) throws -> Int64 {
        try RelativePath.validate(prefix, file: "stored bundle prefix")
        let writer = try BundleWriter(prefix: folder + "/" + prefix, header: bundle.header)
        for (entry, _) in bundle.tensors { try writer.record(entry) }
        // Partitioned tensors' full entries hold no bytes: only the others are placed.
        let placed = bundle.tensors.compactMap { tensor in
            tensor.entry.slices.isEmpty ? tensor.contentID.map { (entry: tensor.entry, contentID: $0) } : nil
        }.sorted { ($0.entry.shardID, $0.entry.offset) < ($1.entry.shardID, $1.entry.offset) }
        var written: Int64 = 0
        var start = 0
        while start < placed.count {
            let shard = placed[start].entry.shardID
            let end = placed[start...].firstIndex { $0.entry.shardID != shard } ?? placed.count
            written += try writeShard(placed[start..<end], writer: writer, reader: reader)
            try writer.finishShard(shard, size: placed[start..<end].map { $0.entry.offset + $0.entry.size }.max()!, sync: true)
            start = end
        }
        try writer.finish(sync: true)
        return written
    }

    /// Places the tensors of one shard. Tensors of fixed-size elements go through one pipeline
    /// together (`ContentReader.write`); strings and variants are checked whole, each by its
    /// own crc rule.
    private func writeShard(_ tensors: ArraySlice<(entry: BundleEntry, contentID: Int64)>, writer: BundleWriter,
                            reader: ContentReader) throws -> Int64 {
        var written: Int64 = 0
        var placed: [(entry: BundleEntry, placement: ContentReader.Placement)] = []
        for (entry, contentID) in tensors {
            if entry.dtype.elementSize == nil {
                let bytes = try reader.read(contentID)
                try entry.checkStored(bytes, what: "tensor '\(entry.displayName)'")
                try bytes.withUnsafeBytes { try writer.place(entry, payload: $0) }
                progress?(Int64(bytes.count))
                written += Int64(bytes.count)
            } else {
                placed.append((entry, ContentReader.Placement(contentID: contentID, file: try writer.dataFile(for: entry), offset: entry.offset)))
            }
        }
        let results = try reader.write(placed.map(\.placement), progress: progress)
        for ((entry, _), (size, crc)) in zip(placed, results) {
            try entry.checkStored(size: size, crc: crc, what: "tensor '\(entry.displayName)'")
            written += size
        }
        return written
    }
}

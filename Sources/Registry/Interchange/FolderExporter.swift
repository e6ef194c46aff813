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

    /// Writes the version's files into `folder`, which exists.
    package func write(into folder: String, layout: Layout) throws -> Int64 {
        let versionID = version.id!
        let reader = ContentReader(session)
        var written: Int64 = 0
        var synced: [WritableFile] = []
        var tagSets: [TagSet]?
        var checkpointPrefix: String?
        switch layout {
        case .savedModel(let sets): tagSets = sets
        case .checkpoint(let prefix): checkpointPrefix = prefix
        }
        let files = try session.files(versionID: versionID)
        let subsetting = tagSets != nil
        if let prefix = checkpointPrefix {
            try RelativePath.validate(prefix, file: "checkpoint prefix")
            written += try writeBundle(into: folder, prefix: prefix, rows: try session.tensors(versionID: versionID), reader: reader)
            var meta = files.first { $0.path.hasSuffix(".meta") && !$0.isFolder }?.contentID
            if meta == nil {
                meta = try session.metaGraphs(versionID: versionID).first { $0.tagSet == TagSet(["train"]) }?.contentID
            }
            if let meta {
                let bytes = try ContentReader(session, verifyHashes: true).read(meta)
                try FileSystem.write(bytes, to: folder + "/" + prefix + ".meta", sync: true)
                written += Int64(bytes.count)
            }
            return written
        }
        for record in files where record.isFolder {
            try RelativePath.validate(record.path, file: "stored folder name")
            try FileSystem.createDirectory(folder + "/" + record.path)
        }

        // The graph file.
        var graphFile: (name: String, bytes: [UInt8])?
        let graphs = try session.metaGraphs(versionID: versionID)
        if !graphs.isEmpty || version.graphEncoding == .text {
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
            let name: String
            let bytes: [UInt8]
            if version.graphEncoding == .text, !subsetting, let textID = version.graphTextID {
                name = SavedModelFile.textName
                bytes = try ContentReader(session, verifyHashes: true).read(textID)
            } else {
                name = SavedModelFile.binaryName
                let graphBytes = try chosen.map { try ContentReader(session, verifyHashes: true).read($0.contentID) }
                bytes = SavedModelFile.encodeBinary(schemaVersion: version.schemaVersion, metaGraphs: graphBytes,
                                                    otherFields: [UInt8](version.graphExtra ?? Data()))
            }
            graphFile = (name, bytes)
        }
        let rows = version.bundlePrefix == nil ? [] : try session.tensors(versionID: versionID)
        let copied = files.filter { !$0.isFolder && $0.contentID != nil && !(subsetting && $0.path == "fingerprint.pb") }
        expecting?(Int64(graphFile?.bytes.count ?? 0) + rows.reduce(Int64(0)) { $0 + ($1.contentID == nil ? 0 : $1.size) }
                   + copied.reduce(Int64(0)) { $0 + $1.size })
        if let graphFile {
            let file = try WritableFile(path: folder + "/" + graphFile.name)
            try file.append(graphFile.bytes)
            synced.append(file)
            written += Int64(graphFile.bytes.count)
            progress?(Int64(graphFile.bytes.count))
        }

        // The bundle.
        if let prefix = version.bundlePrefix {
            written += try writeBundle(into: folder, prefix: prefix, rows: rows, reader: reader)
        }

        // Every other file (`fingerprint.pb` fingerprints the full graph set: not with a subset).
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

    /// The version's bundle under `prefix` in `folder`: data shards with every tensor at its
    /// original offset, then the index from the tensor rows; fsynced.
    private func writeBundle(into folder: String, prefix: String, rows unordered: [TensorRecord], reader: ContentReader) throws -> Int64 {
        guard let headerBytes = version.bundleHeader else { return 0 }
        try RelativePath.validate(prefix, file: "stored bundle prefix")
        let header = try BundleHeader(encodedValue: [UInt8](headerBytes), file: prefix + ".index")
        let writer = try BundleWriter(prefix: folder + "/" + prefix, header: header)
        let rows = unordered.sorted { ($0.shardID, $0.offset) < ($1.shardID, $1.offset) }
        var shardEnds = [Int64](repeating: 0, count: Int(header.numShards))
        var written: Int64 = 0
        // Tensors of fixed-size elements go through one pipeline together (`ContentReader.write`);
        // strings and variants are checked whole, each by its own crc rule.
        var placed: [(entry: BundleEntry, placement: ContentReader.Placement)] = []
        for row in rows {
            let entry = try row.bundleEntry()
            try entry.validate(header: header, file: prefix + ".index")
            try writer.record(entry)
            guard let contentID = row.contentID else { continue }
            shardEnds[Int(entry.shardID)] = max(shardEnds[Int(entry.shardID)], entry.offset + entry.size)
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
        for (shard, end) in shardEnds.enumerated() { try writer.extendShard(Int32(shard), to: end) }
        try writer.finish(sync: true)
        return written
    }
}

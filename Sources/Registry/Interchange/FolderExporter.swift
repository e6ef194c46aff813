import Foundation
import GRDB

/// Writes a stored version out as a folder, the mirror of the importers: the graph file
/// rebuilt from each MetaGraphDef's bytes, the bundle's data shards with every tensor at
/// its original offset (crc32c checked on the way), `variables.index` re-encoded from the
/// tensor rows, other files from their contents. Everything goes into a temporary folder
/// beside the target, is fsynced, and is renamed into place only when complete.
struct FolderExporter {
    let db: Database
    let version: VersionRecord
    var progress: ((Int64) -> Void)?

    /// Writes into `target`. `tagSets` keeps only the MetaGraphDefs with those tag sets.
    func export(to target: String, tagSets: [TagSet]?, force: Bool) throws -> Int64 {
        let parent = (target as NSString).deletingLastPathComponent
        let staging = (parent.isEmpty ? "." : parent) + "/.\((target as NSString).lastPathComponent).registry-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        if FileSystem.exists(target) && !force {
            throw RegistryError.targetExists(path: target)
        }
        var written: Int64 = 0
        do {
            written = try write(into: staging, tagSets: tagSets)
            try Self.syncFolder(parent.isEmpty ? "." : parent)
            try Self.moveIntoPlace(staging, target: target, force: force)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        return written
    }

    private func write(into folder: String, tagSets: [TagSet]?) throws -> Int64 {
        let versionID = version.id!
        let reader = ContentReader(db: db)
        var written: Int64 = 0
        var synced: [WritableFile] = []
        try FileSystem.createDirectory(folder)

        let files = try FileRecord.filter(Column("version_id") == versionID).order(Column("path")).fetchAll(db)
        let subsetting = tagSets != nil
        for record in files where record.isFolder {
            try RelativePath.validate(record.path, file: "stored folder name")
            try FileSystem.createDirectory(folder + "/" + record.path)
        }

        // The graph file.
        let graphs = try MetaGraphRecord.filter(Column("version_id") == versionID).order(Column("position")).fetchAll(db)
        if !graphs.isEmpty || version.graphEncoding == "text" {
            var chosen = graphs
            if let tagSets {
                let wanted = Set(tagSets.map(\.description))
                chosen = graphs.filter { wanted.contains($0.tagSet) }
                let missing = wanted.subtracting(chosen.map(\.tagSet))
                if !missing.isEmpty {
                    throw RegistryError.noSuchTagSet(requested: missing.sorted(), available: graphs.map(\.tagSet))
                }
            }
            let name: String
            let bytes: [UInt8]
            if version.graphEncoding == "text", !subsetting, let textID = version.graphTextID {
                name = SavedModelFile.textName
                bytes = try ContentReader(db: db, verifyHashes: true).read(textID)
            } else {
                name = SavedModelFile.binaryName
                let graphBytes = try chosen.map { try ContentReader(db: db, verifyHashes: true).read($0.contentID) }
                bytes = SavedModelFile.encodeBinary(schemaVersion: version.schemaVersion, metaGraphs: graphBytes,
                                                    otherFields: [UInt8](version.graphExtra ?? Data()))
            }
            let file = try WritableFile(path: folder + "/" + name)
            try file.append(bytes)
            synced.append(file)
            written += Int64(bytes.count)
        }

        // The bundle.
        if let prefix = version.bundlePrefix, let headerBytes = version.bundleHeader {
            try RelativePath.validate(prefix, file: "stored bundle prefix")
            let header = BundleHeader(proto: try Tensorflow_BundleHeaderProto(serializedBytes: headerBytes))
            try header.validate(file: prefix + ".index")
            let writer = try BundleWriter(prefix: folder + "/" + prefix, header: header)
            let rows = try TensorRecord.filter(Column("version_id") == versionID).fetchAll(db)
                .sorted { ($0.shardID, $0.offset) < ($1.shardID, $1.offset) }
            var shardEnds = [Int64](repeating: 0, count: Int(header.numShards))
            for row in rows {
                let entry = try row.entry()
                try entry.validate(header: header, file: prefix + ".index")
                try writer.record(entry)
                guard let contentID = row.contentID else { continue }
                written += try writeTensor(entry, contentID: contentID, reader: reader, writer: writer)
                shardEnds[Int(entry.shardID)] = max(shardEnds[Int(entry.shardID)], entry.offset + entry.size)
            }
            for (shard, end) in shardEnds.enumerated() { try writer.extendShard(Int32(shard), to: end) }
            try writer.finish(sync: true)
        }

        // Every other file.
        for record in files where !record.isFolder {
            try RelativePath.validate(record.path, file: "stored file name")
            if subsetting && record.path == "fingerprint.pb" { continue }  // it fingerprints the full graph set
            guard let contentID = record.contentID else { continue }
            let file = try WritableFile(path: folder + "/" + record.path)
            var offset: Int64 = 0
            try ContentReader(db: db, verifyHashes: true).stream(contentID) { piece in
                try file.write(piece, at: offset)
                offset += Int64(piece.count)
                progress?(Int64(piece.count))
            }
            guard offset == record.size else {
                throw StoreError.damaged(what: record.path, detail: "stored \(offset) bytes, recorded \(record.size)")
            }
            synced.append(file)
            written += offset
        }
        for file in synced {
            try file.sync()
            try file.close()
        }
        for record in files where record.isFolder { try Self.syncFolder(folder + "/" + record.path) }
        try Self.syncFolder(folder)
        return written
    }

    /// Streams one tensor to its place in its shard, checking its crc32c before it counts.
    private func writeTensor(_ entry: BundleEntry, contentID: Int64, reader: ContentReader, writer: BundleWriter) throws -> Int64 {
        if entry.dtype.elementSize == nil {
            let bytes = try reader.read(contentID)
            try BundleReader.verify(entry, payload: bytes, file: entry.displayName)
            try bytes.withUnsafeBytes { try writer.place(entry, payload: $0) }
            progress?(Int64(bytes.count))
            return Int64(bytes.count)
        }
        var crc: UInt32 = 0
        var offset: Int64 = 0
        try reader.stream(contentID) { piece in
            crc = CRC32C.extend(crc, piece)
            try writer.place(entry, payload: piece, at: offset)
            offset += Int64(piece.count)
            progress?(Int64(piece.count))
        }
        guard offset == entry.size, crc == CRC32C.unmask(entry.maskedCRC32C) else {
            throw StoreError.damaged(what: "tensor '\(entry.displayName)'",
                                     detail: offset == entry.size ? "its bytes fail their crc32c" : "stored \(offset) bytes, recorded \(entry.size)")
        }
        return offset
    }

    static func syncFolder(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FormatError.io(file: path, operation: "open folder", reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FormatError.io(file: path, operation: "fsync folder", reason: String(cString: strerror(errno))) }
    }

    /// Renames the finished folder into place; with `force`, the old target is moved aside
    /// first and removed only after the new one is in place.
    static func moveIntoPlace(_ staging: String, target: String, force: Bool) throws {
        var aside: String?
        if FileSystem.exists(target) {
            guard force else { throw RegistryError.targetExists(path: target) }
            let old = staging + ".old"
            guard rename(target, old) == 0 else {
                throw FormatError.io(file: target, operation: "move aside", reason: String(cString: strerror(errno)))
            }
            aside = old
        }
        guard rename(staging, target) == 0 else {
            let reason = String(cString: strerror(errno))
            if let aside { _ = rename(aside, target) }
            throw FormatError.io(file: target, operation: "rename into place", reason: reason)
        }
        if let aside { try? FileManager.default.removeItem(atPath: aside) }
    }
}

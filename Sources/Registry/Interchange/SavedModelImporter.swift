import Foundation
import RegistryFormat
import RegistryStore

/// Brings a SavedModel folder into the store inside the caller's transaction: the version row,
/// one row per MetaGraphDef (with the tags, signatures and collections derived from it), one
/// row per tensor with its bytes streamed into chunks (crc32c checked on the way), and every
/// other file.
package struct SavedModelImporter {
    package let model: SavedModelDirectory

    package init(model: SavedModelDirectory) {
        self.model = model
    }

    /// Bytes the import will store: every tensor, meta graph (and a text graph's original),
    /// and other file; what the push's statistics' raw bytes come to, for progress bars.
    package var totalBytes: Int64 {
        let tensors = model.variables?.index.entries.reduce(Int64(0)) { $0 + $1.size } ?? 0
        let graphs = model.graph.metaGraphs.reduce(Int64(0)) { $0 + Int64($1.bytes.count) }
        var text: Int64 = 0
        if case .text(let original) = model.graph.encoding { text = Int64(original.count) }
        let files = model.otherFiles.reduce(Int64(0)) { total, path in
            var info = stat()
            return total + (stat(model.path + "/" + path, &info) == 0 ? Int64(info.st_size) : 0)
        }
        return tensors + graphs + text + files
    }

    /// Completes `version` with the graph and bundle fields, inserts it and everything under it;
    /// returns how many tensors and other files it recorded.
    package func run(version: inout VersionRecord, session: StoreSession, writer: ContentWriter) throws -> (tensors: Int, files: Int) {
        switch model.graph.encoding {
        case .binary:
            version.graphEncoding = .binary
        case .text(let original):
            version.graphEncoding = .text
            version.graphTextID = try writer.store(original)
        }
        version.schemaVersion = model.graph.schemaVersion
        version.graphExtra = model.graph.otherFields.isEmpty ? nil : Data(model.graph.otherFields)
        if let variables = model.variables {
            version.bundlePrefix = SavedModelDirectory.variablesPrefix
            version.bundleHeader = Data(variables.index.header.encodedValue)
        }
        try session.insert(&version)
        let versionID = version.id!
        try session.insertMetaGraphs(model.graph.metaGraphs, versionID: versionID, writer: writer)
        if let variables = model.variables {
            try BundleImporter(bundle: variables).run(versionID: versionID, parentID: version.parentID, session: session, writer: writer)
        }
        try Self.insertFiles(root: model.path, listing: model.listing, files: model.otherFiles, versionID: versionID,
                             session: session, writer: writer)
        return (model.variables?.index.entries.count ?? 0, model.otherFiles.count)
    }

    /// Every folder of the listing, and the given files with their bytes as contents.
    static func insertFiles(root: String, listing: DirectoryListing, files: [String], versionID: Int64,
                            session: StoreSession, writer: ContentWriter) throws {
        for folder in listing.directories {
            try session.insertFile(FileRecord(versionID: versionID, path: folder, isFolder: true, size: 0, contentID: nil))
        }
        for path in files {
            let file = try ReadableFile(path: root + "/" + path)
            try writer.store(file: file, offset: 0, count: file.size, dtype: nil, base: nil) { contentID, _ in
                try session.insertFile(FileRecord(versionID: versionID, path: path, isFolder: false, size: file.size, contentID: contentID))
            }
        }
        try writer.flush()
    }
}

import Foundation

/// A SavedModel folder on disk, opened and checked: the graph file, the variables bundle
/// (when there is one), and every other file (`assets/`, `assets.extra/`, `fingerprint.pb`…).
public struct SavedModelDirectory {
    public static let variablesPrefix = "variables/variables"

    public let path: String
    public let graph: SavedModelFile
    public let variables: BundleReader?
    public let listing: DirectoryListing

    public static func open(_ path: String) throws(FormatError) -> SavedModelDirectory {
        let listing = try DirectoryListing.scan(path)
        let graph: SavedModelFile
        if listing.files.contains(SavedModelFile.binaryName) {
            let file = try listing.open(SavedModelFile.binaryName)
            graph = try SavedModelFile.decode(binary: try file.readAll(), file: file.path)
        } else if listing.files.contains(SavedModelFile.textName) {
            let file = try listing.open(SavedModelFile.textName)
            graph = try SavedModelFile.decode(text: try file.readAll(), file: file.path)
        } else {
            throw .missing(file: path + "/" + SavedModelFile.binaryName, detail: "not a SavedModel folder (no saved_model.pb or saved_model.pbtxt)")
        }
        for metaGraph in graph.metaGraphs {
            try metaGraph.validateAssets(file: path + "/" + graph.fileName)
        }
        var variables: BundleReader?
        if listing.files.contains(variablesPrefix + ".index") {
            variables = try BundleReader(prefix: variablesPrefix, in: listing, root: path)
        }
        return SavedModelDirectory(path: path, graph: graph, variables: variables, listing: listing)
    }

    /// Relative paths of the bundle's files (index first, then data shards that exist).
    public var bundleFiles: [String] {
        guard let variables else { return [] }
        let shards = Int(variables.index.header.numShards)
        let data = (0..<shards).map { BundleReader.dataFileName(prefix: Self.variablesPrefix, shard: $0, of: shards) }
        return [Self.variablesPrefix + ".index"] + data.filter(listing.files.contains)
    }

    /// Files that are neither the graph nor the bundle: assets, extras, fingerprint, others.
    public var otherFiles: [String] {
        let modelled = Set([graph.fileName] + bundleFiles)
        return listing.files.filter { !modelled.contains($0) }
    }

    /// Writes the same SavedModel into `target` (which must not exist yet): the graph file
    /// rebuilt from each MetaGraphDef's bytes, the index re-encoded, data shards with every
    /// tensor at its original offset, other files copied.
    public func write(to target: String) throws(FormatError) {
        try FileSystem.createDirectory(target)
        for directory in listing.directories { try FileSystem.createDirectory(target + "/" + directory) }
        try FileSystem.write(graph.encode(), to: target + "/" + graph.fileName)
        if let variables {
            try BundleCopy.copy(variables, toPrefix: target + "/" + Self.variablesPrefix)
        }
        for file in otherFiles {
            try FileSystem.copy(try listing.open(file), to: target + "/" + file)
        }
    }
}

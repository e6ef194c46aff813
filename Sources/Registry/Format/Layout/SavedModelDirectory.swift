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
            let file = path + "/" + SavedModelFile.binaryName
            graph = try SavedModelFile.decode(binary: try ReadableFile(path: file).readAll(), file: file)
        } else if listing.files.contains(SavedModelFile.textName) {
            let file = path + "/" + SavedModelFile.textName
            graph = try SavedModelFile.decode(text: try ReadableFile(path: file).readAll(), file: file)
        } else {
            throw .missing(file: path + "/" + SavedModelFile.binaryName, detail: "not a SavedModel folder (no saved_model.pb or saved_model.pbtxt)")
        }
        for metaGraph in graph.metaGraphs {
            try metaGraph.validateAssets(file: path + "/" + graph.fileName)
        }
        var variables: BundleReader?
        if listing.files.contains(variablesPrefix + ".index") {
            variables = try BundleReader(prefix: path + "/" + variablesPrefix)
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
            try FileSystem.copyFile(from: path + "/" + file, to: target + "/" + file)
        }
    }
}

/// Copies a bundle so that every byte lands where it was: the shape TF's readers expect and
/// what a byte-exact export needs. Streams each tensor, checking its crc32c on the way.
public enum BundleCopy {
    public static let chunkSize = 1 << 20

    public static func copy(_ reader: BundleReader, toPrefix prefix: String) throws(FormatError) {
        let writer = try BundleWriter(prefix: prefix, header: reader.index.header)
        for entry in reader.index.entries {
            try writer.record(entry)
            guard entry.slices.isEmpty, entry.size > 0 else { continue }
            var done: Int64 = 0
            do {
                try reader.stream(entry, chunkSize: chunkSize) { piece in
                    try writer.place(entry, payload: piece, at: done)
                    done += Int64(piece.count)
                }
            } catch let error as FormatError {
                throw error
            } catch {
                throw .io(file: prefix, operation: "copy \(entry.displayName)", reason: "\(error)")
            }
        }
        for shard in 0..<reader.index.header.numShards {
            try writer.extendShard(shard, to: reader.dataFile(shard: shard).size)
        }
        try writer.finish()
    }
}

/// Small file-system helpers that report failures as `FormatError`s naming the path.
public enum FileSystem {
    public static func createDirectory(_ path: String) throws(FormatError) {
        guard mkdir(path, 0o755) == 0 else {
            throw .io(file: path, operation: "create folder", reason: String(cString: strerror(errno)))
        }
    }

    public static func write(_ bytes: [UInt8], to path: String, sync: Bool = false) throws(FormatError) {
        let file = try WritableFile(path: path)
        try file.append(bytes)
        if sync { try file.sync() }
        try file.close()
    }

    public static func copyFile(from source: String, to target: String, chunkSize: Int = 1 << 20) throws(FormatError) {
        let input = try ReadableFile(path: source)
        let output = try WritableFile(path: target)
        do {
            try input.stream(chunkSize: chunkSize) { piece in try output.write(piece, at: output.length) }
        } catch let error as FormatError {
            throw error
        } catch {
            throw FormatError.io(file: target, operation: "copy", reason: "\(error)")
        }
        try output.close()
    }

    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The folder that holds `path` ("." for a bare name).
    public static func parentFolder(of path: String) -> String {
        let parent = (path as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    /// Makes a folder's entries (files created, renamed or linked into it) durable.
    public static func syncFolder(_ path: String) throws(FormatError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(file: path, operation: "open folder", reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io(file: path, operation: "fsync folder", reason: String(cString: strerror(errno))) }
    }

    /// This machine's name, part of staging names so that only its own leftovers are judged.
    public static let host: String = {
        let name = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        return name.isEmpty ? "host" : String(name.prefix(32))
    }()

    /// Removes what writes that were killed left in `folder`: entries named `prefix` + a process
    /// id + anything, where the process is gone (the prefix carries this `host`, so that only
    /// this machine's leftovers are judged).
    public static func removeAbandoned(in folder: String, prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            let pidText = name.dropFirst(prefix.count).prefix { $0.isNumber }
            guard let pid = pid_t(pidText), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) == -1 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: folder + "/" + name)
            }
        }
    }
}

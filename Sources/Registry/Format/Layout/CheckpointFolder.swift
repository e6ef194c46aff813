import Foundation

/// One checkpoint in a folder written by `tf.train.Saver` or `CheckpointManager`:
/// `PREFIX.index`, `PREFIX.data-*` and, from a Saver, `PREFIX.meta`.
public struct Checkpoint {
    /// The prefix relative to the folder, e.g. `model.ckpt-40`.
    public let prefix: String
    /// The global step from the `-N` suffix of the prefix, when it has one.
    public let step: Int64?
    public let bundle: BundleReader
    /// The `.meta` MetaGraphDef, when present.
    public let metaGraph: MetaGraph?

    public static func step(fromPrefix prefix: String) -> Int64? {
        guard let dash = prefix.lastIndex(of: "-") else { return nil }
        let digits = prefix[prefix.index(after: dash)...]
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return Int64(digits)
    }
}

/// A folder of checkpoints with its `checkpoint` state file, as TensorFlow leaves it.
public struct CheckpointFolder {
    public let path: String
    public let listing: DirectoryListing
    public let state: CheckpointState?
    /// Sorted by step (then prefix).
    public let checkpoints: [Checkpoint]

    /// Opens a folder of checkpoints, or one checkpoint given by its prefix
    /// (`DIR/model.ckpt-40`, what `Saver.save` returns), which leaves the folder's other
    /// checkpoints and its state file out.
    public static func open(_ path: String) throws(FormatError) -> CheckpointFolder {
        if isPrefix(path) { return try open(prefix: path) }
        let listing = try DirectoryListing.scan(path)
        var state: CheckpointState?
        if listing.files.contains(CheckpointState.fileName) {
            let file = path + "/" + CheckpointState.fileName
            state = try CheckpointState.parse(try ReadableFile(path: file).readAll(), file: file)
        }
        let prefixes = listing.files.filter { !$0.contains("/") && $0.hasSuffix(".index") }.map { String($0.dropLast(6)) }
        guard !prefixes.isEmpty else {
            throw .missing(file: path, detail: "no checkpoint (.index file) in this folder")
        }
        var checkpoints: [Checkpoint] = []
        for prefix in prefixes {
            checkpoints.append(try checkpoint(prefix, in: path, withMeta: listing.files.contains(prefix + ".meta")))
        }
        checkpoints.sort { ($0.step ?? -1, $0.prefix) < ($1.step ?? -1, $1.prefix) }
        return CheckpointFolder(path: path, listing: listing, state: state, checkpoints: checkpoints)
    }

    /// Whether `path` is a checkpoint's prefix: no file or folder of that name, but a
    /// regular `PATH.index` beside it.
    public static func isPrefix(_ path: String) -> Bool {
        var info = stat()
        return !FileSystem.exists(path) && lstat(path + ".index", &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    private static func open(prefix path: String) throws(FormatError) -> CheckpointFolder {
        let folder = FileSystem.parentFolder(of: path)
        let prefix = (path as NSString).lastPathComponent
        let listing = try DirectoryListing.scan(folder)
        let own = listing.files.filter { !$0.contains("/") && ($0 == prefix + ".index" || $0 == prefix + ".meta" || $0.hasPrefix(prefix + ".data-")) }
        let one = try checkpoint(prefix, in: folder, withMeta: own.contains(prefix + ".meta"))
        return CheckpointFolder(path: folder, listing: DirectoryListing(files: own), state: nil, checkpoints: [one])
    }

    /// The checkpoint `prefix` of `folder`: its bundle, and its `.meta` when there is one.
    private static func checkpoint(_ prefix: String, in folder: String, withMeta: Bool) throws(FormatError) -> Checkpoint {
        let bundle = try BundleReader(prefix: folder + "/" + prefix)
        var meta: MetaGraph?
        if withMeta {
            let file = folder + "/" + prefix + ".meta"
            meta = try MetaGraph(bytes: try ReadableFile(path: file).readAll(), file: file)
        }
        return Checkpoint(prefix: prefix, step: Checkpoint.step(fromPrefix: prefix), bundle: bundle, metaGraph: meta)
    }

    /// The checkpoint the state file names as latest (falling back to the highest step).
    public var latest: Checkpoint? {
        if let name = state?.modelCheckpointPath {
            let base = name.split(separator: "/").last.map(String.init) ?? name
            if let match = checkpoints.first(where: { $0.prefix == base }) { return match }
        }
        return checkpoints.last
    }

    /// Files that belong to a checkpoint: index, data shards that exist, meta.
    public func files(of checkpoint: Checkpoint) -> [String] {
        let shards = Int(checkpoint.bundle.index.header.numShards)
        let data = (0..<shards).map { BundleReader.dataFileName(prefix: checkpoint.prefix, shard: $0, of: shards) }
        return ([checkpoint.prefix + ".index"] + data + [checkpoint.prefix + ".meta"]).filter(listing.files.contains)
    }

    /// Files beside the checkpoints (the state file included).
    public var otherFiles: [String] {
        let owned = Set(checkpoints.flatMap(files(of:)))
        return listing.files.filter { !owned.contains($0) }
    }

    /// Writes the same folder into `target`: bundles re-encoded with the same layout,
    /// `.meta` from the MetaGraphDef bytes, other files (the state file among them) copied.
    public func write(to target: String) throws(FormatError) {
        try FileSystem.createDirectory(target)
        for directory in listing.directories { try FileSystem.createDirectory(target + "/" + directory) }
        for checkpoint in checkpoints {
            try BundleCopy.copy(checkpoint.bundle, toPrefix: target + "/" + checkpoint.prefix)
            if let meta = checkpoint.metaGraph {
                try FileSystem.write(meta.bytes, to: target + "/" + checkpoint.prefix + ".meta")
            }
        }
        for file in otherFiles {
            try FileSystem.copyFile(from: path + "/" + file, to: target + "/" + file)
        }
    }
}

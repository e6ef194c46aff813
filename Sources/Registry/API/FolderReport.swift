import Foundation
import RegistryFormat

/// What a SavedModel or checkpoint folder on disk holds (`registry inspect`), read without
/// importing it; with `verify`, every tensor's crc32c is checked.
public struct FolderReport: Codable, Sendable {
    public struct Graph: Codable, Sendable {
        public var tags: [String]
        public var signatures: [String]
        public var collections: [String]
        public var saver: String?
    }

    public struct Tensor: Codable, Sendable {
        public var key: String
        public var dtype: String
        public var shape: [Int64]
        public var shard: Int32
        public var bytes: Int64
    }

    public struct Bundle: Codable, Sendable {
        public var prefix: String
        public var step: Int64?
        public var shards: Int32
        public var tensors: [Tensor]
        public var verified: Bool
    }

    public var path: String
    public var kind: String
    public var graphs: [Graph] = []
    public var bundles: [Bundle] = []
    public var files: [String] = []
    public var latest: String?

    init(savedModel model: SavedModelDirectory, verify: Bool) throws {
        path = model.path
        kind = "saved_model"
        graphs = model.graph.metaGraphs.map(Self.graph)
        if let variables = model.variables {
            bundles = [try Self.bundle(variables, prefix: SavedModelDirectory.variablesPrefix, step: nil, verify: verify)]
        }
        files = model.otherFiles
    }

    init(checkpoints folder: CheckpointFolder, verify: Bool) throws {
        path = folder.path
        kind = "checkpoints"
        bundles = try folder.checkpoints.map { try Self.bundle($0.bundle, prefix: $0.prefix, step: $0.step, verify: verify) }
        graphs = folder.latest?.metaGraph.map { [Self.graph($0)] } ?? []
        files = folder.otherFiles
        latest = folder.latest?.prefix
    }

    private static func graph(_ graph: MetaGraph) -> Graph {
        let proto = graph.proto
        return Graph(tags: graph.tagSet.tags, signatures: proto.signatureDef.map(\.key), collections: proto.collectionDef.map(\.key),
                     saver: proto.hasSaverDef ? "\(proto.saverDef.filenameTensorName) -> \(proto.saverDef.restoreOpName)" : nil)
    }

    private static func bundle(_ reader: BundleReader, prefix: String, step: Int64?, verify: Bool) throws -> Bundle {
        var tensors: [Tensor] = []
        for entry in reader.index.entries {
            if verify && entry.slices.isEmpty { _ = try reader.read(entry) }
            tensors.append(Tensor(key: entry.displayName, dtype: entry.dtype.name, shape: entry.shape, shard: entry.shardID, bytes: entry.size))
        }
        return Bundle(prefix: prefix, step: step, shards: reader.index.header.numShards, tensors: tensors, verified: verify)
    }
}

/// Which kind of folder a path is, as `push` and `inspect` decide it.
public enum FolderKind: Sendable {
    /// `saved_model.pb` or `saved_model.pbtxt` at the top.
    case savedModel
    /// `tf.train.Saver` checkpoints (`*.index` files) and no graph file, or one checkpoint's prefix.
    case checkpoints

    /// A folder with a graph file is a SavedModel; one with `.index` files and none is a
    /// folder of checkpoints; nil for anything else (the caller picks the reader whose
    /// error then says what is missing).
    public init?(folder path: String) {
        let manager = FileManager.default
        if manager.fileExists(atPath: path + "/" + SavedModelFile.binaryName) || manager.fileExists(atPath: path + "/" + SavedModelFile.textName) {
            self = .savedModel
        } else if CheckpointFolder.isPrefix(path) {
            self = .checkpoints
        } else if let names = try? manager.contentsOfDirectory(atPath: path), names.contains(where: { $0.hasSuffix(".index") }) {
            self = .checkpoints
        } else {
            return nil
        }
    }
}

extension ModelRegistry {
    /// Throws the error a push of `path` would, when it is neither a folder nor a checkpoint's
    /// prefix (missing, a file): so that a command can refuse before it creates a registry.
    public static func checkFolder(_ path: String) throws {
        _ = try DirectoryListing.scan(CheckpointFolder.isPrefix(path) ? FileSystem.parentFolder(of: path) : path)
    }

    /// What the folder at `path` holds, without importing it.
    public static func inspect(folder path: String, verify: Bool = true) throws -> FolderReport {
        switch FolderKind(folder: path) ?? .checkpoints {
        case .savedModel: try FolderReport(savedModel: SavedModelDirectory.open(path), verify: verify)
        case .checkpoints: try FolderReport(checkpoints: CheckpointFolder.open(path), verify: verify)
        }
    }
}

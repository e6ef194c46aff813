import Foundation
import Registry

/// What `inspect` shows, built once and rendered as text or JSON.
struct InspectReport: Encodable {
    struct Graph: Encodable {
        var tags: [String]
        var signatures: [String]
        var collections: [String]
        var saver: String?
    }

    struct Tensor: Encodable {
        var key: String
        var dtype: String
        var shape: [Int64]
        var shard: Int32
        var bytes: Int64
    }

    struct Bundle: Encodable {
        var prefix: String
        var step: Int64?
        var shards: Int32
        var tensors: [Tensor]
        var verified: Bool
    }

    var path: String
    var kind: String
    var graphs: [Graph] = []
    var bundles: [Bundle] = []
    var files: [String] = []
    var latest: String?

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

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    var text: String {
        var lines = ["\(kind == "saved_model" ? "SavedModel" : "Checkpoints") \(path)"]
        for graph in graphs {
            lines.append("  meta graph {\(graph.tags.joined(separator: ","))}: \(graph.signatures.count) signatures \(graph.signatures.sorted()), "
                         + "\(graph.collections.count) collections" + (graph.saver.map { ", saver \($0)" } ?? ""))
        }
        for bundle in bundles {
            let total = bundle.tensors.reduce(Int64(0)) { $0 + $1.bytes }
            let latestMark = bundle.prefix == latest ? " (latest)" : ""
            lines.append("  \(bundle.prefix)\(latestMark): \(bundle.tensors.count) tensors, \(total) bytes in \(bundle.shards) shard(s)"
                         + (bundle.verified ? ", every crc32c verified" : ""))
            let width = min(48, bundle.tensors.map(\.key.count).max() ?? 0)
            for tensor in bundle.tensors {
                let key = tensor.key.count > width ? String(tensor.key.prefix(width - 1)) + "…" : tensor.key.padding(toLength: width, withPad: " ", startingAt: 0)
                lines.append("    \(key)  \(tensor.dtype.padding(toLength: 9, withPad: " ", startingAt: 0)) \("\(tensor.shape)".padding(toLength: 14, withPad: " ", startingAt: 0)) \(tensor.bytes) B")
            }
        }
        if !files.isEmpty { lines.append("  other files: " + files.joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }
}

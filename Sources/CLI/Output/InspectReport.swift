import Foundation
import Registry

/// `inspect`'s output: the report as JSON or as text.
extension FolderReport {
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
            // Whole names, however long: a cut name cannot be told from its neighbours.
            if !bundle.tensors.isEmpty {
                lines.append(Output.table(["    NAME", "DTYPE", "SHAPE", "BYTES"],
                                          bundle.tensors.map { ["    " + $0.key, $0.dtype, Output.shape($0.shape), "\($0.bytes)"] }))
            }
        }
        if !files.isEmpty { lines.append("  other files: " + files.joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }
}

import ArgumentParser
import Registry

/// `registry show REF`: tag sets, signatures, collections, variables, files and lineage.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show everything about one version.")

    @OptionGroup var options: RegistryOptions
    @Argument(help: "NAME (latest), NAME:N or NAME@ALIAS.", completion: Completions.references) var reference: String
    @OptionGroup var output: OutputOptions

    func run() throws {
        let detail = try options.open().show(VersionReference(parsing: reference))
        if output.json { print(Output.json(detail)); return }
        let s = detail.summary
        if output.quiet { print("\(s.model):\(s.version)"); return }
        let p = detail.provenance
        var lines = ["\(s.model):\(s.version)  \(s.kind.rawValue)  created \(Output.date(s.createdAt))", "digest: \(p.digest)"]
        if let author = p.author { lines.append("made by: \(author)" + (p.tool.map { " with registry \($0)" } ?? "")) }
        if let source = p.source {
            let git = p.gitCommit.map { " (git \($0)\(p.gitDirty == true ? ", dirty" : ""))" } ?? ""
            lines.append("source: \(source)\(git)")
        }
        if let origin = p.origin { lines.append("origin: \(origin)" + (p.remote.map { " from \($0)" } ?? "")) }
        if let parent = p.parent { lines.append("parent: \(parent)" + (p.parentDigest.map { " (\($0))" } ?? "")) }
        if !s.aliases.isEmpty { lines.append("aliases: \(s.aliases.joined(separator: ", "))") }
        if !s.labels.isEmpty { lines.append("labels: " + s.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) }
        if let step = s.globalStep { lines.append("global step: \(step)") }
        if let metrics = s.metrics {
            lines.append("metrics: " + metrics.sorted { $0.key < $1.key }.map { "\($0.key)=\(VersionTable.format($0.value, key: $0.key))" }.joined(separator: " "))
        }
        lines.append("lineage: " + detail.lineage.joined(separator: " <- "))
        lines.append("content digest: \(detail.contentDigest)")
        for graph in detail.metaGraphs {
            lines.append("meta graph {\(graph.tags.joined(separator: ","))}")
            for signature in graph.signatures {
                lines.append("  signature \(signature.key)\(signature.method.isEmpty ? "" : " (\(signature.method))")")
                for input in signature.inputs { lines.append("    in   \(input.key): \(input.dtype)\(Output.shape(input.shape))  \(input.name)") }
                for out in signature.outputs { lines.append("    out  \(out.key): \(out.dtype)\(Output.shape(out.shape))  \(out.name)") }
            }
            if !graph.collections.isEmpty {
                lines.append("  collections: " + graph.collections.map { "\($0.key) (\($0.kind), \($0.size))" }.joined(separator: ", "))
            }
        }
        lines.append("variables: \(detail.tensors.count) tensors, \(Output.bytes(s.tensorBytes))")
        lines += Output.table(["  NAME", "DTYPE", "SHAPE", "SIZE"],
                              detail.tensors.map { ["  " + $0.name, $0.dtype, Output.shape($0.shape), Output.bytes($0.bytes)] })
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if !detail.files.isEmpty {
            lines.append("files:")
            lines += detail.files.map { "  \($0.path)  \(Output.bytes($0.bytes))" }
        }
        print(Output.lines(lines))
    }
}

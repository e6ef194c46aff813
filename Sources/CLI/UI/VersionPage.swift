import Foundation
import Registry

/// `/models/NAME:N` (or `NAME@ALIAS`): everything `registry show` tells — tag sets, each
/// signature's inputs and outputs, collections, tensors, files, lineage as links, provenance,
/// digest — and the `registry pull` command to copy.
enum VersionPage {
    static func render(_ detail: VersionDetail, registryPath: String) -> String {
        let s = detail.summary, name = "\(s.model):\(s.version)"
        var body = "<h1>\(HTML.escape(s.model))<span class=\"number\">:\(s.version)</span></h1><p class=\"lede\">"
        body += HTML.badge(s.kind == .checkpoint ? "checkpoint" : "saved model", kind: "kind") + " "
        body += s.aliases.map { HTML.badge($0, kind: "alias", title: "alias") }.joined(separator: " ") + " " + ModelsPage.labels(s.labels)
        body += "</p>"
        let command = "registry pull \(name) -o ./\(s.model.replacingOccurrences(of: "/", with: "-"))-\(s.version) --registry \(registryPath)"
        body += "<div class=\"pull\"><label for=\"pull\">Copy this version to a folder</label><div class=\"copy\">"
            + "<input id=\"pull\" readonly value=\"\(HTML.escape(command))\">"
            + "<button type=\"button\" data-copy=\"pull\">Copy</button></div></div>"
        body += facts(detail)
        body += "<h2>Meta graphs</h2>" + detail.metaGraphs.map(metaGraph).joined()
        let total = detail.tensors.reduce(Int64(0)) { $0 + $1.bytes }
        body += "<h2>Tensors <small>\(detail.tensors.count), \(Formats.bytes(total))</small></h2>"
        body += HTML.table(head: ["Name", "Dtype", "Shape", "Size", "Shard"], rows: detail.tensors.map { t in
            HTML.row(["<code>\(HTML.escape(t.name))</code>", t.dtype, Formats.shape(t.shape), Formats.bytes(t.bytes), String(t.shard)],
                     numeric: [3, 4])
        }, numeric: [3, 4])
        if !detail.files.isEmpty {
            body += "<h2>Files</h2>" + HTML.table(head: ["Path", "Size"], rows: detail.files.map {
                HTML.row(["<code>\(HTML.escape($0.path))</code>", Formats.bytes($0.bytes)], numeric: [1])
            }, numeric: [1])
        }
        return HTML.page(title: name, crumbs: [("Models", "/"), (s.model, HTML.modelLink(s.model)), (":\(s.version)", nil)], body: body)
    }

    /// Provenance and identity: created, source, run, step, metrics, lineage (links), digest.
    private static func facts(_ detail: VersionDetail) -> String {
        let s = detail.summary
        var items: [(String, String)] = [("Created", HTML.date(s.createdAt))]
        if let source = s.source { items.append(("Source", "<code>\(HTML.escape(source))</code>")) }
        if let run = s.run { items.append(("Run", HTML.link(HTML.modelLink(run), run))) }
        if let step = s.globalStep { items.append(("Global step", String(step))) }
        if let metrics = s.metrics, !metrics.isEmpty {
            items.append(("Metrics", metrics.sorted { $0.key < $1.key }.map { "\(HTML.escape($0.key))=\(HTML.metric($0.value))" }.joined(separator: " ")))
        }
        let lineage = detail.lineage.enumerated().map { index, entry -> String in
            guard index > 0, let colon = entry.lastIndex(of: ":"), let number = Int64(entry[entry.index(after: colon)...]) else {
                return "<strong>\(HTML.escape(entry))</strong>"
            }
            return HTML.link(HTML.versionLink(String(entry[..<colon]), number), entry)
        }
        items.append(("Lineage", "<span class=\"lineage\">" + lineage.joined(separator: " <span aria-label=\"from\">←</span> ") + "</span>"))
        items.append(("Digest", "<code class=\"digest\">\(HTML.escape(detail.provenance.digest))</code>"))
        items.append(("Content digest", "<code class=\"digest\">\(HTML.escape(detail.contentDigest))</code>"))
        items.append(("Tensors", "\(s.tensors), \(Formats.bytes(s.tensorBytes))"))
        return "<dl class=\"facts\">" + items.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" }.joined() + "</dl>"
    }

    /// A meta graph: its tag set, a table of every signature's inputs and outputs, its collections.
    private static func metaGraph(_ graph: MetaGraphInfo) -> String {
        var out = "<section class=\"graph\"><h3>Tag set <code class=\"tags\">{\(HTML.escape(graph.tags.joined(separator: ",")))}</code></h3>"
        if graph.signatures.isEmpty {
            out += "<p class=\"empty\">No signatures.</p>"
        } else {
            let rows = graph.signatures.flatMap { signature in
                let ends = signature.inputs.map { ("in", $0) } + signature.outputs.map { ("out", $0) }
                return ends.map { direction, tensor in
                    HTML.row(["<code>\(HTML.escape(signature.key))</code>", HTML.escape(signature.method), direction,
                              "<code>\(HTML.escape(tensor.key))</code>", tensor.dtype, Formats.shape(tensor.shape),
                              "<code>\(HTML.escape(tensor.name))</code>"])
                }
            }
            out += HTML.table(caption: "Signatures", head: ["Signature", "Method", "", "Key", "Dtype", "Shape", "Tensor"], rows: rows)
        }
        if !graph.collections.isEmpty {
            out += "<p class=\"collections\">Collections: " + graph.collections.map {
                "<code>\(HTML.escape($0.key))</code> <small>(\(HTML.escape($0.kind)), \($0.size))</small>"
            }.joined(separator: ", ") + "</p>"
        }
        return out + "</section>"
    }
}

import Foundation
import Registry

/// `/diff?from=REF&to=REF`: what `registry diff` tells — tensors added, removed and changed,
/// with the largest absolute change of each changed float tensor (a bar shows it against the
/// largest of all), then the tag sets, signatures, collections and files that differ. Without
/// both versions, a form asks for them.
enum DiffPage {
    static let names = ["from", "to"]

    static func render(_ diff: VersionDiff?, from: String?, to: String?) -> String {
        var body = "<h1>Compare versions</h1>" + form(from: from, to: to)
        guard let diff else { return HTML.page(title: "Compare", crumbs: [("Models", "/"), ("Compare", nil)], body: body) }
        body += "<p class=\"lede\"><strong>\(HTML.escape(diff.from))</strong> → <strong>\(HTML.escape(diff.to))</strong>: "
            + "\(diff.added.count) added, \(diff.removed.count) removed, \(diff.changed.count) changed, \(diff.unchanged) unchanged</p>"
        if !diff.changed.isEmpty {
            let largest = diff.changed.compactMap(\.maxAbsDifference).filter(\.isFinite).max() ?? 0
            body += "<h2>Changed</h2>" + HTML.table(head: ["Tensor", "Before", "After", "Largest change |Δ|"], rows: diff.changed.map { change in
                var delta = "<span class=\"none\">not compared</span>"
                if let value = change.maxAbsDifference {
                    let text = String(format: "%.6g", value)
                    delta = "<span class=\"delta\">\(text)</span>"
                    if largest > 0 && value.isFinite {
                        delta = "<meter min=\"0\" max=\"\(largest)\" value=\"\(value)\" title=\"\(text)\">\(text)</meter> " + delta
                    }
                }
                return HTML.row(["<code>\(HTML.escape(change.name))</code>", HTML.escape(change.before), HTML.escape(change.after), delta],
                                numeric: [3])
            }, numeric: [3])
        }
        for (title, tensors) in [("Added", diff.added), ("Removed", diff.removed)] where !tensors.isEmpty {
            body += "<h2>\(title)</h2>" + HTML.table(head: ["Tensor", "Dtype", "Shape", "Size"], rows: tensors.map {
                HTML.row(["<code>\(HTML.escape($0.name))</code>", $0.dtype, Formats.shape($0.shape), Formats.bytes($0.bytes)], numeric: [3])
            }, numeric: [3])
        }
        if diff.added.isEmpty && diff.removed.isEmpty && diff.changed.isEmpty {
            body += "<p class=\"empty\">The two versions hold the same tensors.</p>"
        }
        body += others(diff)
        return HTML.page(title: "\(diff.from) → \(diff.to)", crumbs: [("Models", "/"), ("Compare", nil)], body: body)
    }

    /// Tag sets, signatures, collections and files added (+), removed (-) and changed (~), as
    /// `registry diff` prints them; a line saying so when all are the same.
    private static func others(_ diff: VersionDiff) -> String {
        let parts = [("Tag set", diff.tagSets), ("Signature", diff.signatures), ("Collection", diff.collections), ("File", diff.files)]
        let rows = parts.flatMap { kind, part in
            part.added.map { HTML.row([kind, "+", "<code>\(HTML.escape($0.name))</code>", HTML.escape($0.detail)]) }
                + part.removed.map { HTML.row([kind, "-", "<code>\(HTML.escape($0.name))</code>", HTML.escape($0.detail)]) }
                + part.changed.map { HTML.row([kind, "~", "<code>\(HTML.escape($0.name))</code>", HTML.escape("\($0.before) -> \($0.after)")]) }
        }
        let same = parts.map { "\($0.1.unchanged) \($0.0.lowercased())\($0.1.unchanged == 1 ? "" : "s")" }.joined(separator: ", ")
        guard !rows.isEmpty else { return "<p class=\"empty\">The same tag sets, signatures, collections and files (\(same)).</p>" }
        return "<h2>Meta graphs and files</h2>" + HTML.table(head: ["Kind", "Change", "Name", "Detail"], rows: rows)
            + "<p class=\"empty\">Unchanged: \(same).</p>"
    }

    private static func form(from: String?, to: String?) -> String {
        "<form class=\"filters\" method=\"get\" action=\"/diff\" aria-label=\"Versions to compare\">"
            + "<label>From<input name=\"from\" value=\"\(HTML.escape(from ?? ""))\" placeholder=\"NAME:N\" required></label>"
            + "<label>To<input name=\"to\" value=\"\(HTML.escape(to ?? ""))\" placeholder=\"NAME@ALIAS\" required></label>"
            + "<div class=\"actions\"><button type=\"submit\">Compare</button></div></form>"
    }
}

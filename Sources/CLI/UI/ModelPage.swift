import Foundation
import Registry

/// `/models/NAME`: one model's history a page at a time (the latest page first), its training
/// curve as `history --plot` draws it, checkpoints on the curve marked, aliases as badges, and
/// two versions to compare.
enum ModelPage {
    static let names = ["limit", "offset"]
    static let pageSize = 50
    /// The curve is thinned to this many points per series: the plot is 666 pixels wide, and a
    /// run of 1,000 checkpoints drawn whole made a 239 KiB page.
    static let curvePoints = 400

    struct Content: Sendable {
        var name: String
        var history: Page<VersionSummary>
        var curve: TrainingCurve
        var limit: Int
    }

    /// Reads what the page shows: the page of history (by default the last, newest versions)
    /// and the thinned curve.
    static func load(_ registry: ModelRegistry, name: String, query: Query) throws -> Content {
        let limit = try query.integer("limit", in: 1...1000, default: pageSize)
        var offset = try query.integer("offset", in: 0...1_000_000_000, default: -1)
        if offset < 0 {
            var filter = VersionFilter()
            filter.model = name
            offset = max(0, (try registry.count(filter) - 1) / limit * limit)
        }
        let history = try registry.history(model: name, limit: limit, offset: offset)
        return Content(name: name, history: history, curve: try registry.trainingCurve(run: name, maxPoints: curvePoints), limit: limit)
    }

    static func render(_ content: Content) -> String {
        let name = content.name, versions = content.history.items
        var body = "<h1>\(HTML.escape(name))</h1>"
        body += "<p class=\"lede\">\(content.history.total) version\(content.history.total == 1 ? "" : "s")"
        if let last = versions.last { body += " · " + HTML.badge(last.kind == .checkpoint ? "checkpoint" : "saved model", kind: "kind") }
        body += "</p>"
        let curve = content.curve
        if let plot = CurvePlot(run: name, curve: curve) {
            body += "<figure class=\"curve\">" + plot.svg
                + "<figcaption>" + caption(curve) + "; dots are the checkpoints kept."
                + (isThinned(curve) ? " Thinned evenly to \(curvePoints) points per series." : "")
                + " Data: " + HTML.link("/api/curve?model=" + HTML.query(name), "/api/curve") + "</figcaption></figure>"
        }
        body += "<h2>History</h2>"
        body += "<form class=\"history\" method=\"get\" action=\"/diff\">"
        body += HTML.table(head: ["From", "To", "Version", "Created (UTC)", "Tag sets", "Tensors", "Size", "Step", "Metrics", "Aliases and labels"],
                           rows: rows(name, versions), numeric: [5, 6, 7])
        body += "<div class=\"actions\"><button type=\"submit\">Compare the chosen versions</button></div></form>"
        body += HTML.pager(total: content.history.total, offset: content.history.offset, limit: content.limit, shown: versions.count,
                           base: HTML.modelLink(name) + (content.limit == pageSize ? "" : "?limit=\(content.limit)"), noun: "versions")
        return HTML.page(title: name, crumbs: [("Models", "/"), (name, nil)], body: body)
    }

    /// What the plot draws, as `CurvePlot` chooses it.
    private static func caption(_ curve: TrainingCurve) -> String {
        let series = "the series pushed with --metric or --events"
        if !curve.epochs.isEmpty { return "Loss and accuracy by global step (every epoch)" + (curve.series.isEmpty ? "" : ", then " + series) }
        return curve.series.isEmpty ? "Loss and accuracy by global step (the versions' metrics)" : "Metrics by global step (\(series))"
    }

    /// Whether a list of the curve holds fewer points than the registry has.
    private static func isThinned(_ curve: TrainingCurve) -> Bool {
        curve.epochs.count < curve.epochCount || curve.checkpoints.count < curve.checkpointCount
            || curve.series.reduce(0) { $0 + $1.points.count } < curve.seriesPointCount
    }

    /// History rows, with a radio for each end of a diff (the last two versions chosen).
    private static func rows(_ name: String, _ versions: [VersionSummary]) -> [String] {
        versions.enumerated().map { index, v in
            let reference = "\(name):\(v.version)"
            func radio(_ end: String, checked: Bool) -> String {
                "<input type=\"radio\" name=\"\(end)\" value=\"\(HTML.escape(reference))\" aria-label=\"\(end) \(HTML.escape(reference))\"\(checked ? " checked" : "")>"
            }
            let metrics = (v.metrics ?? [:]).sorted { $0.key < $1.key }.map { "\(HTML.escape($0.key))=\(HTML.metric($0.value))" }.joined(separator: " ")
            let marks = v.aliases.map { HTML.badge($0, kind: "alias", title: "alias") }
                + (v.globalStep != nil && v.kind == .checkpoint ? [HTML.badge("kept", kind: "kept", title: "a checkpoint kept: a dot on the curve")] : [])
            return HTML.row([
                radio("from", checked: index == max(0, versions.count - 2)),
                radio("to", checked: index == versions.count - 1),
                HTML.link(HTML.versionLink(name, v.version), ":\(v.version)"),
                HTML.date(v.createdAt),
                HTML.tagSets(v.tagSets),
                String(v.tensors),
                Formats.bytes(v.tensorBytes),
                v.globalStep.map { String($0) } ?? "",
                metrics,
                (marks + [ModelsPage.labels(v.labels)]).joined(separator: " "),
            ], numeric: [5, 6, 7])
        }
    }
}

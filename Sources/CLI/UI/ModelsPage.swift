import Foundation
import Registry

/// `/`: the models, a page at a time, filtered as `ls` filters (tag, tag set, signature,
/// labels): each with its kind, matching versions, latest version, aliases, labels and size.
enum ModelsPage {
    static let names = ["tag", "tags", "signature", "label", "limit", "offset"]
    static let pageSize = 50

    static func render(_ page: Page<ModelSummary>, query: Query, filter: VersionFilter) -> String {
        let rows = page.items.map { model in
            let latest = model.latest
            let aliases = model.aliases.sorted { $0.key < $1.key }.map { alias, number in
                HTML.badge("\(alias) → \(number)", kind: "alias", href: HTML.versionLink(model.name, number))
            }.joined(separator: " ")
            return HTML.row([
                HTML.link(HTML.modelLink(model.name), model.name, className: "model"),
                HTML.badge(latest.kind == .checkpoint ? "checkpoint" : "saved model", kind: "kind"),
                String(model.versions),
                HTML.link(HTML.versionLink(model.name, latest.version), ":\(latest.version)"),
                HTML.tagSets(latest.tagSets),
                aliases,
                labels(latest.labels),
                Formats.bytes(latest.tensorBytes),
                HTML.date(latest.createdAt),
            ], numeric: [2, 7])
        }
        var body = "<h1>Models</h1>" + form(query)
        let filtered = filter.tag != nil || filter.tagSet != nil || filter.signature != nil || !filter.labels.isEmpty
        if page.items.isEmpty {
            body += "<p class=\"empty\">" + (filtered ? "No model has a version that matches. " + HTML.link("/", "Show all models.")
                                                      : "The registry holds no versions yet: <code>registry push DIR NAME</code> adds one.") + "</p>"
        } else {
            body += HTML.table(head: ["Model", "Kind", "Versions", "Latest", "Tag sets", "Aliases", "Labels", "Size", "Created (UTC)"],
                               rows: rows, numeric: [2, 7])
        }
        body += HTML.pager(total: page.total, offset: page.offset, limit: filter.limit ?? pageSize, shown: page.items.count,
                           base: "/" + base(query), noun: "models")
        return HTML.page(title: "Models", body: body)
    }

    static func labels(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { key, value in
            HTML.badge("\(key)=\(value)", kind: "label", href: "/?label=" + HTML.query("\(key)=\(value)"))
        }.joined(separator: " ")
    }

    /// The filter form: a GET to this page, so that it works without JavaScript.
    private static func form(_ query: Query) -> String {
        func field(_ name: String, _ label: String, _ hint: String, value: String?) -> String {
            "<label>\(label)<input name=\"\(name)\" value=\"\(HTML.escape(value ?? ""))\" placeholder=\"\(hint)\"></label>"
        }
        let labels = query.strings("label") + [""]
        return "<form class=\"filters\" method=\"get\" action=\"/\" aria-label=\"Filter versions\">"
            + field("tag", "Tag", "serve", value: query.string("tag"))
            + field("tags", "Tag set", "serve,gpu", value: query.string("tags"))
            + field("signature", "Signature", "serving_default", value: query.string("signature"))
            + labels.map { field("label", "Label", "key=value", value: $0) }.joined()
            + "<div class=\"actions\"><button type=\"submit\">Filter</button> " + HTML.link("/", "Clear") + "</div></form>"
    }

    /// The query without `offset`, for the pager's links.
    private static func base(_ query: Query) -> String {
        let pairs = names.filter { $0 != "offset" }.flatMap { name in query.strings(name).map { "\(name)=" + HTML.query($0) } }
        return pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")
    }
}

import Foundation
import Registry

/// `/search?q=TEXT`: models, tensors (of each model's latest version) and labels whose name
/// contains the text.
enum SearchPage {
    static let names = ["q"]
    static let limit = 50

    static func render(_ result: SearchResult?) -> String {
        guard let result else {
            return HTML.page(title: "Search", crumbs: [("Models", "/"), ("Search", nil)],
                             body: "<h1>Search</h1><p class=\"empty\">Type part of a model name, a tensor name or a label above.</p>")
        }
        var body = "<h1>Search: “\(HTML.escape(result.query))”</h1>"
        if result.models.isEmpty && result.tensors.isEmpty && result.labels.isEmpty {
            body += "<p class=\"empty\">Nothing matches.</p>"
        }
        if !result.models.isEmpty {
            body += "<h2>Models</h2><ul class=\"results\">" + result.models.map { "<li>" + HTML.link(HTML.modelLink($0), $0) + "</li>" }.joined() + "</ul>"
        }
        if !result.tensors.isEmpty {
            body += "<h2>Tensors <small>in each model's latest version</small></h2>" + HTML.table(head: ["Tensor", "Version"], rows: result.tensors.map {
                HTML.row(["<code>\(HTML.escape($0.name))</code>", HTML.link(HTML.versionLink($0.model, $0.version), "\($0.model):\($0.version)")])
            })
        }
        if !result.labels.isEmpty {
            body += "<h2>Labels</h2><ul class=\"results\">" + result.labels.map {
                "<li>" + HTML.badge("\($0.key)=\($0.value)", kind: "label", href: "/?label=" + HTML.query("\($0.key)=\($0.value)"))
                    + " <small>\($0.versions >= 1000 ? "1,000+" : String($0.versions)) version\($0.versions == 1 ? "" : "s")</small></li>"
            }.joined() + "</ul>"
        }
        if [result.models.count, result.tensors.count, result.labels.count].contains(limit) {
            body += "<p class=\"empty\">Showing the first \(limit) of each kind; type more to narrow it.</p>"
        }
        return HTML.page(title: "Search", crumbs: [("Models", "/"), ("Search", nil)], search: result.query, body: body)
    }
}

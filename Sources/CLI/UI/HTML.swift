import Foundation
import Registry

/// Building pages: text escaped for HTML, the app's links, and the shell every page shares
/// (header with the search box, breadcrumbs, main, footer; the stylesheet and script the
/// binary serves).
enum HTML {
    /// `text` safe inside an element or a quoted attribute.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// `value` percent-encoded for a query string.
    static func query(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~:/@,")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// Model names are ASCII letters, digits and `._-/`, so they go into paths as they are.
    static func modelLink(_ name: String) -> String { "/models/" + name }
    static func versionLink(_ model: String, _ number: Int64) -> String { "/models/\(model):\(number)" }

    /// `<a href=…>text</a>`, both escaped.
    static func link(_ href: String, _ text: String, className: String? = nil) -> String {
        "<a href=\"\(escape(href))\"\(className.map { " class=\"\($0)\"" } ?? "")>\(escape(text))</a>"
    }

    static func badge(_ text: String, kind: String, href: String? = nil, title: String? = nil) -> String {
        let titled = title.map { " title=\"\(escape($0))\"" } ?? ""
        if let href { return "<a class=\"badge \(kind)\" href=\"\(escape(href))\"\(titled)>\(escape(text))</a>" }
        return "<span class=\"badge \(kind)\"\(titled)>\(escape(text))</span>"
    }

    /// The date as `2026-11-25 11:30` in UTC, with the full ISO 8601 time as its tooltip.
    static func date(_ date: Date) -> String {
        let iso = date.formatted(.iso8601)
        let shown = iso.replacingOccurrences(of: "T", with: " ").prefix(16)
        return "<time datetime=\"\(iso)\" title=\"\(iso)\">\(shown)</time>"
    }

    static func tagSets(_ sets: [TagSet]) -> String {
        sets.map { "<code class=\"tags\">{\(escape($0.description))}</code>" }.joined(separator: " ")
    }

    /// A metric as `%.4g`, as `ls` prints it.
    static func metric(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.4g", value)
    }

    /// A table inside a scrolling box (wide tables scroll on a narrow screen, the page does not).
    static func table(caption: String? = nil, head: [String], rows: [String], numeric: Set<Int> = []) -> String {
        var out = "<div class=\"scroll\" tabindex=\"0\"><table>"
        if let caption { out += "<caption>\(escape(caption))</caption>" }
        out += "<thead><tr>" + head.enumerated().map { i, h in "<th scope=\"col\"\(numeric.contains(i) ? " class=\"num\"" : "")>\(h)</th>" }.joined() + "</tr></thead>"
        return out + "<tbody>" + rows.joined() + "</tbody></table></div>"
    }

    /// One row; cells at `numeric` are right-aligned.
    static func row(_ cells: [String], numeric: Set<Int> = []) -> String {
        "<tr>" + cells.enumerated().map { i, c in "<td\(numeric.contains(i) ? " class=\"num\"" : "")>\(c)</td>" }.joined() + "</tr>"
    }

    /// The shell around a page's content.
    static func page(title: String, crumbs: [(text: String, href: String?)] = [], search: String = "", body: String) -> String {
        let trail = crumbs.isEmpty ? "" : "<nav class=\"crumbs\" aria-label=\"Breadcrumbs\"><ol>" + crumbs.map { crumb in
            "<li>" + (crumb.href.map { link($0, crumb.text) } ?? "<span aria-current=\"page\">\(escape(crumb.text))</span>") + "</li>"
        }.joined() + "</ol></nav>"
        return """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · registry</title>
        <link rel="stylesheet" href="/assets/style.css">
        <link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
        <script src="/assets/app.js" defer></script>
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
        <a class="brand" href="/">registry</a>
        <form class="search" role="search" action="/search" method="get">
        <label for="q" class="sr">Search models, tensors and labels</label>
        <input id="q" name="q" type="search" value="\(escape(search))" placeholder="Search models, tensors, labels" autocomplete="off" maxlength="200">
        <button type="submit">Search</button>
        <ul id="suggestions" class="suggestions" hidden></ul>
        </form>
        </header>
        <main id="main">
        \(trail)
        \(body)
        </main>
        <footer>read-only view · JSON at <a href="/api/ls">/api/</a></footer>
        </body>
        </html>

        """
    }

    /// Previous / next links for a page of `limit` items at `offset` out of `total`; `base` is
    /// the page's path and query without `offset`.
    static func pager(total: Int, offset: Int, limit: Int, shown: Int, base: String, noun: String) -> String {
        guard total > 0 else { return "" }
        let joiner = base.contains("?") ? "&" : "?"
        func at(_ offset: Int) -> String { base + joiner + "offset=\(offset)" }
        var parts: [String] = []
        if offset > 0 {
            parts.append(link(at(0), "« First"))
            parts.append(link(at(max(0, offset - limit)), "‹ Previous"))
        }
        parts.append("<span>\(offset + 1)–\(offset + shown) of \(total) \(noun)</span>")
        if offset + shown < total {
            parts.append(link(at(offset + limit), "Next ›"))
            parts.append(link(at(max(0, (total - 1) / limit * limit)), "Last »"))
        }
        return "<nav class=\"pager\" aria-label=\"Pages\">" + parts.joined(separator: " ") + "</nav>"
    }
}

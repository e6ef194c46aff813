import Foundation
import Registry

/// A request's query string, decoded as browsers encode forms (`+` is a space, `%XX` a byte
/// of UTF-8), checked against the parameters a page takes: an unknown name, a bad encoding or
/// a value out of range is a `UIError` (400) naming it, never a guess.
struct Query {
    private var pairs: [(name: String, value: String)] = []

    /// Parses `query` (without `?`); `known` are the names the page takes.
    init(_ query: String?, known: [String]) throws {
        guard let query, !query.isEmpty else { return }
        guard query.utf8.count <= 8192 else {
            throw UIError.badParameter(name: "query", value: String(query.prefix(40)), reason: "longer than 8192 bytes")
        }
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let halves = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try Self.decode(halves[0], name: String(halves[0]))
            let value = halves.count > 1 ? try Self.decode(halves[1], name: name) : ""
            guard known.contains(name) else { throw UIError.unknownParameter(name: name, known: known) }
            pairs.append((name, value))
        }
    }

    private static func decode(_ text: Substring, name: String) throws -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        guard let decoded = spaced.removingPercentEncoding else {
            throw UIError.badParameter(name: name, value: String(text), reason: "bad percent-encoding")
        }
        return decoded
    }

    /// The last non-empty value of `name` (a form's blank field counts as absent).
    func string(_ name: String) -> String? {
        pairs.last { $0.name == name && !$0.value.isEmpty }?.value
    }

    /// Every non-empty value of `name`, in order.
    func strings(_ name: String) -> [String] {
        pairs.filter { $0.name == name && !$0.value.isEmpty }.map(\.value)
    }

    /// A whole number in `range`, or `fallback` when absent.
    func integer(_ name: String, in range: ClosedRange<Int>, default fallback: Int) throws -> Int {
        guard let text = string(name) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw UIError.badParameter(name: name, value: text, reason: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// `true`/`1`/`on` or `false`/`0`/`off`; false when absent.
    func flag(_ name: String) throws -> Bool {
        guard let text = string(name) else { return false }
        switch text.lowercased() {
        case "true", "1", "on", "yes": return true
        case "false", "0", "off", "no": return false
        default: throw UIError.badParameter(name: name, value: text, reason: "true or false")
        }
    }

    /// A version reference (`NAME`, `NAME:N`, `NAME@ALIAS`); a malformed one is a 400.
    func reference(_ name: String) throws -> VersionReference? {
        guard let text = string(name) else { return nil }
        do { return try VersionReference(parsing: text) } catch let error as ReferenceError {
            throw UIError.badParameter(name: name, value: text, reason: error.description)
        }
    }

    /// The listing filter `ls` takes: `tag`, `tags`, `signature`, `label` (repeatable, k=v),
    /// `model`, `latest`, and the page: `limit` (1…1000) and `offset`.
    func filter(defaultLimit: Int) throws -> VersionFilter {
        var filter = VersionFilter()
        filter.tag = string("tag")
        filter.tagSet = string("tags").map(TagSet.init(parsing:))
        filter.signature = string("signature")
        // As `ls --label` reads them: a pair without a key, or a key given twice, is refused.
        do {
            filter.labels = try LabelPairs.parse(strings("label"))
        } catch ReferenceError.invalidLabel(let pair) {
            throw UIError.badParameter(name: "label", value: pair, reason: "write key=value")
        } catch RegistryError.duplicateLabel(let key, let values) {
            throw UIError.badParameter(name: "label", value: "\(key)=\(values.last ?? "")", reason: "the key '\(key)' is given twice; give each key once")
        }
        filter.model = string("model")
        filter.latestOnly = try flag("latest")
        filter.limit = try integer("limit", in: 1...1000, default: defaultLimit)
        filter.offset = try integer("offset", in: 0...1_000_000_000, default: 0)
        return filter
    }

    /// The parameters `filter(defaultLimit:)` reads.
    static let filterNames = ["tag", "tags", "signature", "label", "model", "latest", "limit", "offset"]
}

extension Query {
    /// The value of a parameter the request cannot do without.
    func required(_ name: String) throws -> String {
        guard let value = string(name) else { throw UIError.badParameter(name: name, value: "", reason: "it is required") }
        return value
    }

    /// A search text: at most 200 characters.
    func searchText(_ name: String) throws -> String? {
        guard let text = string(name)?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard text.count <= 200 else { throw UIError.badParameter(name: name, value: text, reason: "longer than 200 characters") }
        return text
    }
}

import Foundation
import GRDB
import RegistryFormat

/// The models page: models with matching versions, a page at a time.
extension StoreSession {
    /// The models with versions matching `filter` (its limit and offset give the page of
    /// models; its model filter does not apply), by name, each with its number of matching
    /// versions, the newest of them and its aliases. One pass over the matching versions
    /// (through the index on versions(model_id, number) when nothing filters: 16 ms of CPU for
    /// 100,000 versions; 33 ms when half of them match a tag, the set built once), whereas
    /// asking model by model whether it has a matching version and then counting the page's
    /// took 27 + 47 ms for that tag; then the page's summaries and aliases.
    package func models(_ filter: VersionFilter) throws -> Page<ModelSummary> {
        var unpaged = filter
        unpaged.limit = nil
        unpaged.offset = 0
        unpaged.model = nil
        let (condition, arguments) = Self.condition(unpaged)
        // SQLite's bare columns: `versions.id` comes from the row holding MAX(number).
        let all = try Row.fetchAll(db, sql: """
            SELECT versions.model_id, COUNT(*), MAX(versions.number), versions.id FROM versions
            \(condition.isEmpty ? "" : "WHERE " + condition) GROUP BY versions.model_id
            ORDER BY (SELECT name FROM models WHERE models.id = versions.model_id)
            """, arguments: arguments)
        let offset = min(filter.offset, all.count)
        let page = all[offset..<min(all.count, offset + (filter.limit ?? all.count))]
        if page.isEmpty { return Page(items: [], total: all.count, offset: filter.offset) }
        let latest = try summaries(where: "versions.id IN (SELECT value FROM json_each(?))",
                                   arguments: [Self.jsonArray(page.map { $0[3] as Int64 })])
        var aliases: [Int64: [String: Int64]] = [:]
        try Row.fetchCursor(db, sql: """
            SELECT aliases.model_id, aliases.alias, versions.number FROM aliases JOIN versions ON versions.id = aliases.version_id
            WHERE aliases.model_id IN (SELECT value FROM json_each(?))
            """, arguments: [Self.jsonArray(page.map { $0[0] as Int64 })]).forEach { row in
            aliases[row[0], default: [:]][row[1]] = row[2]
        }
        // `latest` comes by model name, as `page` does: one summary per model.
        let items = zip(page, latest).map { row, summary in
            ModelSummary(name: summary.model, versions: row[1], latest: summary, aliases: aliases[row[0]] ?? [:])
        }
        return Page(items: items, total: all.count, offset: filter.offset)
    }

    /// `[1,2,3]`, for `json_each`: any number of ids as one argument.
    static func jsonArray(_ ids: [Int64]) -> String {
        "[" + ids.map { String($0) }.joined(separator: ",") + "]"
    }
}

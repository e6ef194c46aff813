import Foundation
import GRDB
import RegistryFormat

/// The models page: models with matching versions, a page at a time.
extension StoreSession {
    /// The models with versions matching `filter` (its limit and offset give the page of
    /// models), by name, each with its number of matching versions, the newest of them and its
    /// aliases. Five statements whatever the registry holds: the page of models (one pass over
    /// the index on versions(model_id, number)), their count, the newest versions' summaries,
    /// the aliases.
    package func models(_ filter: VersionFilter) throws -> Page<ModelSummary> {
        var unpaged = filter
        unpaged.limit = nil
        unpaged.offset = 0
        let (condition, arguments) = Self.condition(unpaged)
        let from = "FROM versions JOIN models ON models.id = versions.model_id " + (condition.isEmpty ? "" : "WHERE " + condition)
        var paged = arguments
        paged += [filter.limit ?? -1, filter.offset]
        // SQLite's bare columns: `versions.id` comes from the row holding MAX(number).
        let rows = try Row.fetchAll(db, sql: """
            SELECT versions.model_id, COUNT(*), MAX(versions.number), versions.id \(from)
            GROUP BY versions.model_id ORDER BY models.name LIMIT ? OFFSET ?
            """, arguments: paged)
        let total = try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT versions.model_id) \(from)", arguments: arguments) ?? 0
        if rows.isEmpty { return Page(items: [], total: total, offset: filter.offset) }
        let latestIDs = rows.map { $0[3] as Int64 }
        let latest = try summaries(where: "versions.id IN (SELECT value FROM json_each(?))", arguments: [Self.jsonArray(latestIDs)])
        var aliases: [Int64: [String: Int64]] = [:]
        try Row.fetchCursor(db, sql: """
            SELECT aliases.model_id, aliases.alias, versions.number FROM aliases JOIN versions ON versions.id = aliases.version_id
            WHERE aliases.model_id IN (SELECT value FROM json_each(?))
            """, arguments: [Self.jsonArray(rows.map { $0[0] as Int64 })]).forEach { row in
            aliases[row[0], default: [:]][row[1]] = row[2]
        }
        // `latest` comes by model name, as `rows` do: one summary per row.
        let items = zip(rows, latest).map { row, summary in
            ModelSummary(name: summary.model, versions: row[1], latest: summary, aliases: aliases[row[0]] ?? [:])
        }
        return Page(items: items, total: total, offset: filter.offset)
    }

    /// `[1,2,3]`, for `json_each`: any number of ids as one argument.
    static func jsonArray(_ ids: [Int64]) -> String {
        "[" + ids.map { String($0) }.joined(separator: ",") + "]"
    }
}

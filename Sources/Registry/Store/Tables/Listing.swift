import Foundation
import GRDB
import RegistryFormat

/// Listings: `ls`, `history` and the summary `show` starts with.
extension StoreSession {
    /// Versions matching `filter`, by model name then number.
    ///
    /// A constant number of statements however many versions match (see `summaries`). Each
    /// condition is an uncorrelated `IN (…)` subquery, which SQLite evaluates once: a correlated
    /// `EXISTS` on the tag or signature re-scanned every row carrying that tag for each version,
    /// quadratic in the number of versions (7.7 s for `--tag serve` over 10,000).
    package func list(_ filter: VersionFilter = VersionFilter()) throws -> [VersionSummary] {
        let (condition, arguments) = Self.condition(filter)
        // A page goes to `VersionListing` as LIMIT/OFFSET over (model name, number), which the
        // index on (model_id, number) walks model by model.
        let page = filter.limit != nil || filter.offset > 0 ? (limit: filter.limit ?? -1, offset: max(0, filter.offset)) : nil
        return try summaries(where: condition, arguments: arguments, page: page)
    }

    /// How many versions match `filter` (its limit and offset aside).
    package func count(_ filter: VersionFilter) throws -> Int {
        let (condition, arguments) = Self.condition(filter)
        return try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM versions JOIN models ON models.id = versions.model_id \(condition.isEmpty ? "" : "WHERE " + condition)
            """, arguments: arguments) ?? 0
    }

    /// The SQL condition over `versions` and `models` that `filter` sets, and its arguments.
    static func condition(_ filter: VersionFilter) -> (String, StatementArguments) {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let model = filter.model { conditions.append("models.name = ?"); arguments.append(model) }
        if let tag = filter.tag {
            conditions.append("versions.id IN (SELECT g.version_id FROM meta_graph_tags t JOIN meta_graphs g ON g.id = t.meta_graph_id WHERE t.tag = ?)")
            arguments.append(tag)
        }
        if let tagSet = filter.tagSet {
            conditions.append("versions.id IN (SELECT g.version_id FROM meta_graphs g WHERE g.tag_set = ?)")
            arguments.append(tagSet.description)
        }
        if let signature = filter.signature {
            conditions.append("versions.id IN (SELECT g.version_id FROM signatures s JOIN meta_graphs g ON g.id = s.meta_graph_id WHERE s.key = ?)")
            arguments.append(signature)
        }
        for (key, value) in filter.labels.sorted(by: { $0.key < $1.key }) {
            conditions.append("versions.id IN (SELECT l.version_id FROM labels l WHERE l.key = ? AND l.value = ?)")
            arguments += [key, value]
        }
        if filter.latestOnly {
            conditions.append("versions.number = (SELECT MAX(v2.number) FROM versions v2 WHERE v2.model_id = versions.model_id)")
        }
        return (conditions.joined(separator: " AND "), StatementArguments(arguments))
    }

    /// The summary of one version.
    package func summary(versionID: Int64) throws -> VersionSummary {
        try summaries(where: "versions.id = ?", arguments: [versionID])[0]
    }

    /// The summaries of the versions satisfying `condition` (SQL over `versions` and `models`;
    /// empty for all), by model name then number, in five statements at most whatever their
    /// number (`VersionListing`); with `page`, only those `limit` rows after `offset`.
    func summaries(where condition: String, arguments: StatementArguments,
                   page: (limit: Int, offset: Int)? = nil) throws -> [VersionSummary] {
        var listing = VersionListing(db: db)
        try listing.fetchVersions(where: condition, arguments: arguments, page: page)
        if listing.summaries.isEmpty { return [] }
        listing.sortByModelThenNumber()
        let index = VersionIndex(ids: listing.ids)
        try listing.gatherTagSetsAndAliases(index)
        try listing.gatherLabels(index)
        try listing.linkParents(index)
        return listing.summaries
    }
}

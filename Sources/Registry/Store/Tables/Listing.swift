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
        guard filter.limit != nil || filter.offset > 0 else { return try summaries(where: condition, arguments: arguments) }
        // A page: its ids in the listing's order, which the index on (model_id, number) gives
        // model by model, then only their summaries.
        var paged = arguments
        paged += [filter.limit ?? -1, filter.offset]
        return try summaries(where: """
            versions.id IN (SELECT versions.id FROM versions JOIN models ON models.id = versions.model_id
                            \(condition.isEmpty ? "" : "WHERE " + condition) ORDER BY models.name, versions.number LIMIT ? OFFSET ?)
            """, arguments: paged)
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
    /// number: the versions (with their tensor counts and bytes, which 0006_listing_indexes'
    /// triggers keep on the row), then their tag sets, aliases and labels, then the parents
    /// that are not among them.
    func summaries(where condition: String, arguments: StatementArguments) throws -> [VersionSummary] {
        var summaries: [VersionSummary] = [], ids: [Int64] = [], parentIDs: [Int64?] = [], modelIDs: [Int64] = []
        var modelNames: [Int64: String] = [:]
        let decoder = JSONDecoder()
        var metricsByText: [String: [String: Double]] = [:]
        // Unordered: SQLite would sort the whole rows; the order is made below, on two integers.
        let versions = try Row.fetchCursor(db, sql: """
            SELECT versions.id, versions.model_id, versions.number, versions.created_at, versions.kind, versions.source,
                   versions.parent_id, versions.run, versions.global_step, versions.metrics_json,
                   versions.tensor_count, versions.tensor_bytes, models.name
            FROM versions JOIN models ON models.id = versions.model_id \(condition.isEmpty ? "" : "WHERE " + condition)
            """, arguments: arguments)
        try versions.forEach { row in
            let modelID: Int64 = row[1]
            let model: String
            if let known = modelNames[modelID] { model = known } else { model = row[12]; modelNames[modelID] = model }
            var metrics: [String: Double]?
            if let text: String = row[9] {
                if let known = metricsByText[text] {
                    metrics = known
                } else {
                    metrics = try decoder.decode([String: Double].self, from: Data(text.utf8))
                    metricsByText[text] = metrics
                }
            }
            ids.append(row[0])
            modelIDs.append(modelID)
            parentIDs.append(row[6])
            summaries.append(VersionSummary(model: model, version: row[2], createdAt: Date(timeIntervalSince1970: row[3]), kind: row[4],
                                            tagSets: [], labels: [:], aliases: [], tensors: row[10], tensorBytes: row[11], source: row[5],
                                            parent: nil, run: row[7], globalStep: row[8], metrics: metrics))
        }
        if summaries.isEmpty { return [] }

        // By model name (as SQLite's BINARY collation compares them: their UTF-8 bytes), then number.
        let rank = Dictionary(uniqueKeysWithValues: modelNames.sorted { $0.value.utf8.lexicographicallyPrecedes($1.value.utf8) }
            .enumerated().map { ($1.key, $0) })
        var keys = summaries.indices.map { (rank[modelIDs[$0]]!, summaries[$0].version, $0) }
        if !zip(keys, keys.dropFirst()).allSatisfy({ ($0.0, $0.1) < ($1.0, $1.1) }) {
            keys.sort { ($0.0, $0.1) < ($1.0, $1.1) }
            // Element i becomes element keys[i].2: each cycle of that permutation by swaps (moves).
            var placed = [Bool](repeating: false, count: keys.count)
            for start in keys.indices where !placed[start] {
                var i = start
                while keys[i].2 != start {
                    let j = keys[i].2
                    summaries.swapAt(i, j); ids.swapAt(i, j); parentIDs.swapAt(i, j)
                    placed[i] = true
                    i = j
                }
                placed[i] = true
            }
        }

        // Where each id sits in `summaries`: an array over the ids' span when they are dense (most
        // versions listed), else a dictionary. Dense ids are read by a range scan (the few
        // versions in it but not listed are skipped here), sparse ones passed as a JSON array.
        let low = ids.min()!, high = ids.max()!
        let dense = high - low < 4 * Int64(ids.count)
        var slots: [Int32] = [], positions: [Int64: Int] = [:]
        if dense {
            slots = [Int32](repeating: -1, count: Int(high - low) + 1)
            for (i, id) in ids.enumerated() { slots[Int(id - low)] = Int32(i) }
        } else {
            positions.reserveCapacity(ids.count)
            for (i, id) in ids.enumerated() { positions[id] = i }
        }
        func position(_ id: Int64) -> Int? {
            if dense {
                guard id >= low && id <= high else { return nil }
                let slot = slots[Int(id - low)]
                return slot < 0 ? nil : Int(slot)
            }
            return positions[id]
        }
        let restriction: String
        let idArguments: StatementArguments
        if dense {
            (restriction, idArguments) = ("version_id BETWEEN ? AND ?", [low, high])
        } else {
            (restriction, idArguments) = ("version_id IN (SELECT value FROM json_each(?))", ["[" + ids.map { String($0) }.joined(separator: ",") + "]"])
        }

        // Rows come ordered by version: each version's values are gathered, then stored at once.
        func gather<T>(_ sql: String, into field: WritableKeyPath<VersionSummary, [T]>, _ value: (String) -> T) throws {
            var current: (id: Int64, values: [T]) = (-1, [])
            try Row.fetchCursor(db, sql: sql, arguments: idArguments).forEach { row in
                let id: Int64 = row[0]
                if id != current.id {
                    if let i = position(current.id) { summaries[i][keyPath: field] = current.values }
                    current = (id, [])
                }
                current.values.append(value(row[1]))
            }
            if let i = position(current.id) { summaries[i][keyPath: field] = current.values }
        }
        // A registry holds few distinct tag sets: each is parsed once.
        var tagSets: [String: TagSet] = [:]
        try gather("SELECT version_id, tag_set FROM meta_graphs WHERE \(restriction) ORDER BY version_id, position", into: \.tagSets) { text in
            if let known = tagSets[text] { return known }
            let parsed = TagSet(parsing: text)
            tagSets[text] = parsed
            return parsed
        }
        try gather("SELECT version_id, alias FROM aliases WHERE \(restriction) ORDER BY version_id, alias", into: \.aliases) { $0 }

        var pairs: (id: Int64, values: [(String, String)]) = (-1, [])
        func storeLabels() {
            guard let i = position(pairs.id) else { return }
            var labels = [String: String](minimumCapacity: pairs.values.count)
            for (key, value) in pairs.values { labels[key] = value }
            summaries[i].labels = labels
        }
        let labelRows = try Row.fetchCursor(db, sql: """
            SELECT version_id, key, value FROM labels WHERE \(restriction) ORDER BY version_id, key
            """, arguments: idArguments)
        try labelRows.forEach { row in
            let id: Int64 = row[0]
            if id != pairs.id { storeLabels(); pairs.id = id; pairs.values.removeAll(keepingCapacity: true) }
            pairs.values.append((row[1], row[2]))
        }
        storeLabels()

        // Parents: most are listed too (a model's history); the others in one more statement.
        var missing = Set<Int64>()
        for (i, parentID) in parentIDs.enumerated() {
            guard let parentID else { continue }
            if let p = position(parentID) {
                summaries[i].parent = summaries[p].model + ":" + String(summaries[p].version)
            } else {
                missing.insert(parentID)
            }
        }
        if !missing.isEmpty {
            var parents: [Int64: String] = [:]
            let parentRows = try Row.fetchCursor(db, sql: """
                SELECT versions.id, models.name, versions.number FROM versions JOIN models ON models.id = versions.model_id
                WHERE versions.id IN (SELECT value FROM json_each(?))
                """, arguments: ["[" + missing.map { String($0) }.joined(separator: ",") + "]"])
            try parentRows.forEach { row in parents[row[0]] = (row[1] as String) + ":" + String(row[2] as Int64) }
            for (i, parentID) in parentIDs.enumerated() where summaries[i].parent == nil {
                if let parentID { summaries[i].parent = parents[parentID] }
            }
        }
        return summaries
    }
}

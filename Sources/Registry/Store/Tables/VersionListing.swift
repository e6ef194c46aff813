import Foundation
import GRDB
import RegistryFormat

/// A listing's summaries, built in a constant number of statements however many versions it
/// holds: the versions (with their tensor counts and bytes, which 0006_listing_indexes'
/// triggers keep on the row), then their tag sets, aliases and labels, then the parents that
/// are not among them. Each statement reads rows in version order and fills the summaries in
/// place; `ls --tag serve` over 10,000 versions takes ~37 ms this way (9.4 s with a query per
/// version).
struct VersionListing {
    let db: Database
    private(set) var summaries: [VersionSummary] = []
    /// Beside each summary: its version id, parent id and model id.
    private(set) var ids: [Int64] = []
    private var parentIDs: [Int64?] = []
    private var modelIDs: [Int64] = []
    private var modelNames: [Int64: String] = [:]

    init(db: Database) {
        self.db = db
    }

    /// The version rows, unordered: SQLite would sort the whole rows; `sortByModelThenNumber`
    /// orders them on two integers.
    mutating func fetchVersions(where condition: String, arguments: StatementArguments) throws {
        let decoder = JSONDecoder()
        var metricsByText: [String: [String: Double]] = [:]
        let versions = try Row.fetchCursor(db, sql: """
            SELECT versions.id, versions.model_id, versions.number, versions.created_at, versions.kind, versions.source,
                   versions.parent_id, versions.run, versions.global_step, versions.metrics_json,
                   versions.tensor_count, versions.tensor_bytes, models.name
            FROM versions JOIN models ON models.id = versions.model_id \(condition.isEmpty ? "" : "WHERE " + condition)
            """, arguments: arguments)
        while let row = try versions.next() {
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
    }

    /// By model name (as SQLite's BINARY collation compares them: their UTF-8 bytes), then
    /// number; rows usually come in that order already, and are then left as they are.
    mutating func sortByModelThenNumber() {
        let rank = Dictionary(uniqueKeysWithValues: modelNames.sorted { $0.value.utf8.lexicographicallyPrecedes($1.value.utf8) }
            .enumerated().map { ($1.key, $0) })
        var keys = summaries.indices.map { (rank[modelIDs[$0]]!, summaries[$0].version, $0) }
        guard !zip(keys, keys.dropFirst()).allSatisfy({ ($0.0, $0.1) < ($1.0, $1.1) }) else { return }
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

    /// Tag sets and aliases, each statement's rows (ordered by version) gathered per version
    /// and stored at once.
    mutating func gatherTagSetsAndAliases(_ index: VersionIndex) throws {
        // A registry holds few distinct tag sets: each is parsed once.
        var tagSets: [String: TagSet] = [:]
        try gather("SELECT version_id, tag_set FROM meta_graphs WHERE \(index.restriction) ORDER BY version_id, position",
                   index, into: \.tagSets) { text in
            if let known = tagSets[text] { return known }
            let parsed = TagSet(parsing: text)
            tagSets[text] = parsed
            return parsed
        }
        try gather("SELECT version_id, alias FROM aliases WHERE \(index.restriction) ORDER BY version_id, alias", index, into: \.aliases) { $0 }
    }

    private mutating func gather<T>(_ sql: String, _ index: VersionIndex, into field: WritableKeyPath<VersionSummary, [T]>,
                                    _ value: (String) -> T) throws {
        var current: (id: Int64, values: [T]) = (-1, [])
        let rows = try Row.fetchCursor(db, sql: sql, arguments: index.arguments)
        while let row = try rows.next() {
            let id: Int64 = row[0]
            if id != current.id {
                if let i = index.position(current.id) { summaries[i][keyPath: field] = current.values }
                current = (id, [])
            }
            current.values.append(value(row[1]))
        }
        if let i = index.position(current.id) { summaries[i][keyPath: field] = current.values }
    }

    mutating func gatherLabels(_ index: VersionIndex) throws {
        var pairs: (id: Int64, values: [(String, String)]) = (-1, [])
        func store(into summaries: inout [VersionSummary]) {
            guard let i = index.position(pairs.id) else { return }
            var labels = [String: String](minimumCapacity: pairs.values.count)
            for (key, value) in pairs.values { labels[key] = value }
            summaries[i].labels = labels
        }
        let rows = try Row.fetchCursor(db, sql: """
            SELECT version_id, key, value FROM labels WHERE \(index.restriction) ORDER BY version_id, key
            """, arguments: index.arguments)
        while let row = try rows.next() {
            let id: Int64 = row[0]
            if id != pairs.id { store(into: &summaries); pairs.id = id; pairs.values.removeAll(keepingCapacity: true) }
            pairs.values.append((row[1], row[2]))
        }
        store(into: &summaries)
    }

    /// Parents as `NAME:N`: most are listed too (a model's history); the others in one more statement.
    mutating func linkParents(_ index: VersionIndex) throws {
        var missing = Set<Int64>()
        for (i, parentID) in parentIDs.enumerated() {
            guard let parentID else { continue }
            if let p = index.position(parentID) {
                summaries[i].parent = summaries[p].model + ":" + String(summaries[p].version)
            } else {
                missing.insert(parentID)
            }
        }
        guard !missing.isEmpty else { return }
        var parents: [Int64: String] = [:]
        let rows = try Row.fetchCursor(db, sql: """
            SELECT versions.id, models.name, versions.number FROM versions JOIN models ON models.id = versions.model_id
            WHERE versions.id IN (SELECT value FROM json_each(?))
            """, arguments: ["[" + missing.map { String($0) }.joined(separator: ",") + "]"])
        while let row = try rows.next() { parents[row[0]] = (row[1] as String) + ":" + String(row[2] as Int64) }
        for (i, parentID) in parentIDs.enumerated() where summaries[i].parent == nil {
            if let parentID { summaries[i].parent = parents[parentID] }
        }
    }
}

/// Where each listed version id sits among the summaries, and how to select the rows of those
/// versions: an array over the ids' span when they are dense (most versions listed), read by a
/// range scan (the few versions in it but not listed are skipped), else a dictionary, with the
/// ids passed as a JSON array.
struct VersionIndex {
    private let low: Int64, high: Int64
    private let slots: [Int32]?
    private let positions: [Int64: Int]
    let restriction: String
    let arguments: StatementArguments

    init(ids: [Int64]) {
        low = ids.min()!
        high = ids.max()!
        if high - low < 4 * Int64(ids.count) {
            var slots = [Int32](repeating: -1, count: Int(high - low) + 1)
            for (i, id) in ids.enumerated() { slots[Int(id - low)] = Int32(i) }
            self.slots = slots
            positions = [:]
            (restriction, arguments) = ("version_id BETWEEN ? AND ?", [low, high])
        } else {
            slots = nil
            positions = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
            (restriction, arguments) = ("version_id IN (SELECT value FROM json_each(?))", ["[" + ids.map { String($0) }.joined(separator: ",") + "]"])
        }
    }

    func position(_ id: Int64) -> Int? {
        guard let slots else { return positions[id] }
        guard id >= low && id <= high else { return nil }
        let slot = slots[Int(id - low)]
        return slot < 0 ? nil : Int(slot)
    }
}

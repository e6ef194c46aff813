import GRDB
import RegistryFormat

/// The search box: model names, tensor names and labels containing a text.
extension StoreSession {
    /// Distinct labels looked at, at most: each costs two index seeks (see `search`).
    static let searchedLabels = 20_000
    /// Versions counted per label found, at most.
    static let countedVersions = 1_000

    /// At most `limit` of each kind, ignoring ASCII case; what is read grows with the number of
    /// models and of distinct labels, not of versions. Tensors are looked for in each model's
    /// latest version (every tensor of 100,000 versions would be millions of rows); labels are
    /// walked distinct pair by distinct pair through the index on (key, value) — a skip scan,
    /// the first `searchedLabels` of them — and each match counts its versions up to
    /// `countedVersions`.
    package func search(_ text: String, limit: Int) throws -> SearchResult {
        let needle = text.lowercased()
        let models = try String.fetchAll(db, sql: """
            SELECT name FROM models WHERE instr(lower(name), ?) > 0
              AND EXISTS (SELECT 1 FROM versions WHERE versions.model_id = models.id)
            ORDER BY name LIMIT ?
            """, arguments: [needle, limit])
        let tensors = try Row.fetchAll(db, sql: """
            WITH latest(id) AS (
                SELECT (SELECT id FROM versions WHERE versions.model_id = models.id ORDER BY number DESC LIMIT 1) FROM models)
            SELECT tensors.name, models.name, versions.number
            FROM latest JOIN versions ON versions.id = latest.id JOIN models ON models.id = versions.model_id
            JOIN tensors ON tensors.version_id = versions.id
            WHERE instr(lower(tensors.name), ?) > 0 ORDER BY tensors.name, models.name LIMIT ?
            """, arguments: [needle, limit]).map { SearchResult.Tensor(name: $0[0], model: $0[1], version: $0[2]) }
        // The next distinct (key, value) after (k, v): the next value of k, else the first value
        // of the next key; each a MIN over the index (a row-value `>` seek took 4 ms of CPU).
        let labels = try Row.fetchAll(db, sql: """
            WITH RECURSIVE pairs(key, value, n) AS (
                SELECT k, (SELECT MIN(value) FROM labels WHERE key = k), 1 FROM (SELECT MIN(key) AS k FROM labels)
                UNION ALL
                SELECT CASE WHEN (SELECT MIN(value) FROM labels WHERE key = p.key AND value > p.value) IS NOT NULL THEN p.key
                            ELSE (SELECT MIN(key) FROM labels WHERE key > p.key) END,
                       COALESCE((SELECT MIN(value) FROM labels WHERE key = p.key AND value > p.value),
                                (SELECT MIN(value) FROM labels WHERE key = (SELECT MIN(key) FROM labels WHERE key > p.key))),
                       n + 1
                FROM pairs p WHERE p.key IS NOT NULL AND n < ?)
            SELECT key, value, (SELECT COUNT(*) FROM (SELECT 1 FROM labels l WHERE l.key = pairs.key AND l.value = pairs.value LIMIT ?))
            FROM pairs WHERE key IS NOT NULL AND instr(lower(key || '=' || value), ?) > 0 LIMIT ?
            """, arguments: [Self.searchedLabels, Self.countedVersions, needle, limit]).map {
            SearchResult.Label(key: $0[0], value: $0[1], versions: $0[2])
        }
        return SearchResult(query: text, models: models, tensors: tensors, labels: labels)
    }
}

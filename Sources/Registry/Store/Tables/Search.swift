import GRDB
import RegistryFormat

/// The search box: model names, tensor names and labels containing a text.
extension StoreSession {
    /// At most `limit` of each kind, ignoring ASCII case. Tensors are looked for in each model's
    /// latest version only: the rows read grow with the number of models, not of versions (all
    /// tensors of 100,000 versions would be millions of rows); labels over every version, through
    /// the index on (key, value), one entry per labelled version.
    package func search(_ text: String, limit: Int) throws -> SearchResult {
        let needle = text.lowercased()
        let models = try String.fetchAll(db, sql: """
            SELECT name FROM models WHERE instr(lower(name), ?) > 0
              AND EXISTS (SELECT 1 FROM versions WHERE versions.model_id = models.id)
            ORDER BY name LIMIT ?
            """, arguments: [needle, limit])
        let tensors = try Row.fetchAll(db, sql: """
            SELECT tensors.name, models.name, versions.number
            FROM models JOIN versions ON versions.model_id = models.id
                 AND versions.number = (SELECT MAX(number) FROM versions v WHERE v.model_id = models.id)
            JOIN tensors ON tensors.version_id = versions.id
            WHERE instr(lower(tensors.name), ?) > 0 ORDER BY tensors.name, models.name LIMIT ?
            """, arguments: [needle, limit]).map { SearchResult.Tensor(name: $0[0], model: $0[1], version: $0[2]) }
        let labels = try Row.fetchAll(db, sql: """
            SELECT key, value, COUNT(*) FROM labels WHERE instr(lower(key || '=' || value), ?) > 0
            GROUP BY key, value ORDER BY key, value LIMIT ?
            """, arguments: [needle, limit]).map { SearchResult.Label(key: $0[0], value: $0[1], versions: $0[2]) }
        return SearchResult(query: text, models: models, tensors: tensors, labels: labels)
    }
}

import Foundation
import GRDB

/// Which versions `list` returns; every condition given must hold.
public struct VersionFilter: Sendable {
    public var model: String?
    /// Versions with a meta graph carrying this tag.
    public var tag: String?
    /// Versions with a meta graph whose tag set is exactly this one.
    public var tagSet: TagSet?
    /// Versions with a signature of this key.
    public var signature: String?
    public var labels: [String: String] = [:]
    /// Only the newest version of each model.
    public var latestOnly = false
    public init() {}
}

extension ModelRegistry {
    /// Versions matching `filter`, by model name then number.
    public func list(_ filter: VersionFilter = VersionFilter()) throws -> [VersionSummary] {
        try read { db in
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let model = filter.model { conditions.append("models.name = ?"); arguments.append(model) }
            if let tag = filter.tag {
                conditions.append("EXISTS (SELECT 1 FROM meta_graph_tags t JOIN meta_graphs g ON g.id = t.meta_graph_id WHERE t.tag = ? AND g.version_id = versions.id)")
                arguments.append(tag)
            }
            if let tagSet = filter.tagSet {
                conditions.append("EXISTS (SELECT 1 FROM meta_graphs g WHERE g.tag_set = ? AND g.version_id = versions.id)")
                arguments.append(tagSet.description)
            }
            if let signature = filter.signature {
                conditions.append("EXISTS (SELECT 1 FROM signatures s JOIN meta_graphs g ON g.id = s.meta_graph_id WHERE s.key = ? AND g.version_id = versions.id)")
                arguments.append(signature)
            }
            for (key, value) in filter.labels.sorted(by: { $0.key < $1.key }) {
                conditions.append("EXISTS (SELECT 1 FROM labels l WHERE l.key = ? AND l.value = ? AND l.version_id = versions.id)")
                arguments += [key, value]
            }
            if filter.latestOnly {
                conditions.append("versions.number = (SELECT MAX(v2.number) FROM versions v2 WHERE v2.model_id = versions.model_id)")
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let rows = try VersionRecord.fetchAll(db, sql: """
                SELECT versions.* FROM versions JOIN models ON models.id = versions.model_id \(whereClause)
                ORDER BY models.name, versions.number
                """, arguments: StatementArguments(arguments))
            return try Self.summaries(rows, db: db)
        }
    }

    /// Every version of one model (a training run's checkpoints), oldest first.
    public func history(model: String) throws -> [VersionSummary] {
        var filter = VersionFilter()
        filter.model = model
        let versions = try list(filter)
        if versions.isEmpty { throw RegistryError.modelNotFound(model) }
        return versions
    }

    /// Everything about one version.
    public func show(_ reference: VersionReference) throws -> VersionDetail {
        try read { db in
            let version = try Self.resolve(reference, db: db)
            let versionID = version.id!
            let summary = try Self.summaries([version], db: db)[0]
            var graphs: [MetaGraphInfo] = []
            for graph in try MetaGraphRecord.filter(Column("version_id") == versionID).order(Column("position")).fetchAll(db) {
                var signatures: [SignatureInfo] = []
                for signature in try SignatureRecord.filter(Column("meta_graph_id") == graph.id!).order(Column("key")).fetchAll(db) {
                    let tensors = try SignatureTensorRecord.filter(Column("signature_id") == signature.id!).order(Column("key")).fetchAll(db)
                    func info(_ direction: String) -> [SignatureTensorInfo] {
                        tensors.filter { $0.direction == direction }.map {
                            SignatureTensorInfo(key: $0.key, name: $0.tensorName, dtype: $0.dtype, shape: $0.shape.flatMap(Shape.parse))
                        }
                    }
                    signatures.append(SignatureInfo(key: signature.key, method: signature.method, inputs: info("input"), outputs: info("output")))
                }
                let collections = try CollectionRecord.filter(Column("meta_graph_id") == graph.id!).order(Column("key")).fetchAll(db)
                    .map { CollectionInfo(key: $0.key, kind: $0.kind, size: $0.size) }
                graphs.append(MetaGraphInfo(tags: TagSet(parsing: graph.tagSet).tags, signatures: signatures, collections: collections))
            }
            let tensors = try TensorRecord.filter(Column("version_id") == versionID).order(Column("key")).fetchAll(db).map {
                TensorSummary(name: $0.name, dtype: DType(rawValue: $0.dtype).name, shape: Shape.parse($0.shape) ?? [], bytes: $0.size, shard: $0.shardID)
            }
            let files = try FileRecord.filter(Column("version_id") == versionID && Column("is_folder") == false).order(Column("path")).fetchAll(db)
                .map { FileSummary(path: $0.path, bytes: $0.size) }
            var lineage: [String] = []
            var cursor: VersionRecord? = version
            while let current = cursor, lineage.count < 1000 {
                let name = try String.fetchOne(db, sql: "SELECT name FROM models WHERE id = ?", arguments: [current.modelID]) ?? "?"
                lineage.append("\(name):\(current.number)")
                cursor = try current.parentID.flatMap { try VersionRecord.fetchOne(db, key: $0) }
            }
            return VersionDetail(summary: summary, metaGraphs: graphs, tensors: tensors, files: files, lineage: lineage)
        }
    }

    static func summaries(_ versions: [VersionRecord], db: Database) throws -> [VersionSummary] {
        var names: [Int64: String] = [:]
        return try versions.map { version in
            let id = version.id!
            if names[version.modelID] == nil {
                names[version.modelID] = try String.fetchOne(db, sql: "SELECT name FROM models WHERE id = ?", arguments: [version.modelID])
            }
            let tagSets = try String.fetchAll(db, sql: "SELECT tag_set FROM meta_graphs WHERE version_id = ? ORDER BY position", arguments: [id])
            let labels = try Row.fetchAll(db, sql: "SELECT key, value FROM labels WHERE version_id = ?", arguments: [id])
                .reduce(into: [String: String]()) { $0[$1[0]] = $1[1] }
            let aliases = try String.fetchAll(db, sql: "SELECT alias FROM aliases WHERE version_id = ? ORDER BY alias", arguments: [id])
            let counts = try Row.fetchOne(db, sql: "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM tensors WHERE version_id = ?", arguments: [id])!
            var parent: String?
            if let parentID = version.parentID, let row = try Row.fetchOne(db, sql: """
                SELECT models.name, versions.number FROM versions JOIN models ON models.id = versions.model_id WHERE versions.id = ?
                """, arguments: [parentID]) {
                parent = "\(row[0] as String):\(row[1] as Int64)"
            }
            let metrics = try version.metricsJSON.map { try JSONDecoder().decode([String: Double].self, from: Data($0.utf8)) }
            return VersionSummary(model: names[version.modelID] ?? "?", version: version.number,
                                  createdAt: Date(timeIntervalSince1970: version.createdAt), kind: version.kind, tagSets: tagSets,
                                  labels: labels, aliases: aliases, tensors: counts[0], tensorBytes: counts[1], source: version.source,
                                  parent: parent, run: version.run, globalStep: version.globalStep, metrics: metrics)
        }
    }
}

import Foundation
import GRDB
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// Listings over thousands of versions: `list`, `history` and `show` run a fixed number of
/// statements however many versions there are, and say exactly what the per-version queries
/// they replaced said. The registries are built in one transaction per model by copying the
/// rows of two pushed versions (not timed: the statements are counted).
@Suite(.serialized) struct ListingScaleTests {
    /// A registry of `2 × models` models: `aNNN` copies of seed_mlp_train_and_serve ({train} and
    /// {serve}, saved models), `bNNN` copies of seed_mlp_training ({train} only, as checkpoints
    /// with a step and metrics); `versions` versions each, every one the parent of the next.
    final class Corpus: @unchecked Sendable {
        let tmp: TemporaryDirectory
        let registry: ModelRegistry
        let models: Int, versions: Int64

        init(models: Int, versions: Int64) throws {
            self.models = models
            self.versions = versions
            tmp = try TemporaryDirectory(label: "listing-scale")
            registry = try ModelRegistry(path: tmp.path + "/registry.db")
            var options = ModelRegistry.PushOptions()
            options.labels = ["team": "vision", "note": "a \"quoted\" value, é, tab\there"]
            options.aliases = ["first"]
            _ = try registry.push(savedModel: Fixtures.path("seed_mlp_train_and_serve"), model: "a000", options: options)
            options.labels = ["team": "speech"]
            _ = try registry.push(savedModel: Fixtures.path("seed_mlp_training"), model: "b000", options: options)
            let templates = try registry.store.queue.read { db in
                try Int64.fetchAll(db, sql: "SELECT id FROM versions ORDER BY id")
            }
            for index in 0..<models {
                for (prefix, template) in zip(["a", "b"], templates) {
                    let model = prefix + String(format: "%03d", index)
                    try Self.clone(registry, template: template, model: model, numbers: (index == 0 ? 2 : 1)...versions,
                                   checkpoint: prefix == "b")
                }
            }
            // A parent in another model.
            try registry.store.queue.write { db in
                try db.execute(sql: """
                    UPDATE versions SET parent_id = (SELECT v.id FROM versions v JOIN models m ON m.id = v.model_id WHERE m.name = 'b000' AND v.number = 3)
                    WHERE id = (SELECT v.id FROM versions v JOIN models m ON m.id = v.model_id WHERE m.name = 'a001' AND v.number = 1)
                    """)
            }
        }

        deinit { tmp.cleanup() }

        /// Adds `numbers` to `model` (created if new), each version a copy of `template`'s rows
        /// (graphs, tags, signatures, collections, tensors, files), with labels `n` and `parity`,
        /// aliases `prod` (50) and `best` (77), each the parent of the next.
        static func clone(_ registry: ModelRegistry, template: Int64, model: String, numbers: ClosedRange<Int64>, checkpoint: Bool) throws {
            try registry.store.queue.write { db in
                try db.execute(sql: "INSERT INTO models (name, created_at) VALUES (?, 0) ON CONFLICT (name) DO NOTHING", arguments: [model])
                let modelID = try Int64.fetchOne(db, sql: "SELECT id FROM models WHERE name = ?", arguments: [model])!
                let arguments: StatementArguments = ["model": modelID, "lo": numbers.lowerBound, "hi": numbers.upperBound,
                                                     "template": template, "ckpt": checkpoint, "name": model]
                let scope = "v.model_id = :model AND v.number BETWEEN :lo AND :hi"
                try db.execute(sql: """
                    WITH RECURSIVE n(x) AS (SELECT :lo UNION ALL SELECT x + 1 FROM n WHERE x < :hi)
                    INSERT INTO versions (model_id, number, created_at, kind, source, run, global_step, metrics_json,
                                          graph_encoding, schema_version, graph_extra_id, graph_text_id, bundle_prefix, bundle_header)
                    SELECT :model, x, t.created_at + :model * 1000 + x, CASE WHEN :ckpt THEN 'checkpoint' ELSE t.kind END, t.source,
                           CASE WHEN :ckpt THEN :name END, CASE WHEN :ckpt THEN x * 100 END,
                           CASE WHEN :ckpt THEN json_object('accuracy', x / 1000.0, 'loss', 2.5 - x / 64.0) END,
                           t.graph_encoding, t.schema_version, t.graph_extra_id, t.graph_text_id, t.bundle_prefix, t.bundle_header
                    FROM n, versions t WHERE t.id = :template ORDER BY x;
                    UPDATE models SET last_number = :hi WHERE id = :model;
                    UPDATE versions SET parent_id = (SELECT p.id FROM versions p WHERE p.model_id = versions.model_id AND p.number = versions.number - 1)
                    WHERE model_id = :model AND number BETWEEN :lo AND :hi;
                    INSERT INTO meta_graphs (version_id, position, tag_set, content_id)
                    SELECT v.id, g.position, g.tag_set, g.content_id FROM versions v, meta_graphs g WHERE g.version_id = :template AND \(scope)
                    ORDER BY v.id, g.position;
                    INSERT INTO meta_graph_tags (meta_graph_id, tag)
                    SELECT ng.id, t.tag FROM versions v JOIN meta_graphs ng ON ng.version_id = v.id
                    JOIN meta_graphs tg ON tg.version_id = :template AND tg.position = ng.position
                    JOIN meta_graph_tags t ON t.meta_graph_id = tg.id WHERE \(scope);
                    INSERT INTO signatures (meta_graph_id, key, method)
                    SELECT ng.id, s.key, s.method FROM versions v JOIN meta_graphs ng ON ng.version_id = v.id
                    JOIN meta_graphs tg ON tg.version_id = :template AND tg.position = ng.position
                    JOIN signatures s ON s.meta_graph_id = tg.id WHERE \(scope) ORDER BY ng.id, s.id;
                    INSERT INTO signature_tensors (signature_id, direction, key, tensor_name, dtype, shape)
                    SELECT ns.id, st.direction, st.key, st.tensor_name, st.dtype, st.shape
                    FROM versions v JOIN meta_graphs ng ON ng.version_id = v.id JOIN signatures ns ON ns.meta_graph_id = ng.id
                    JOIN meta_graphs tg ON tg.version_id = :template AND tg.position = ng.position
                    JOIN signatures ts ON ts.meta_graph_id = tg.id AND ts.key = ns.key
                    JOIN signature_tensors st ON st.signature_id = ts.id WHERE \(scope);
                    INSERT INTO collections (meta_graph_id, key, kind, size)
                    SELECT ng.id, c.key, c.kind, c.size FROM versions v JOIN meta_graphs ng ON ng.version_id = v.id
                    JOIN meta_graphs tg ON tg.version_id = :template AND tg.position = ng.position
                    JOIN collections c ON c.meta_graph_id = tg.id WHERE \(scope);
                    INSERT INTO tensors (version_id, key, entry, name, dtype, shape, shard_id, offset, size, crc32c, content_id)
                    SELECT v.id, t.key, t.entry, t.name, t.dtype, t.shape, t.shard_id, t.offset, t.size, t.crc32c, t.content_id
                    FROM versions v, tensors t WHERE t.version_id = :template AND \(scope) ORDER BY v.id, t.id;
                    INSERT INTO files (version_id, path, is_folder, size, content_id)
                    SELECT v.id, f.path, f.is_folder, f.size, f.content_id FROM versions v, files f WHERE f.version_id = :template AND \(scope);
                    INSERT INTO labels (version_id, key, value) SELECT v.id, 'n', CAST(v.number AS TEXT) FROM versions v WHERE \(scope);
                    INSERT INTO labels (version_id, key, value)
                    SELECT v.id, 'parity', CASE v.number % 2 WHEN 0 THEN 'even' ELSE 'odd' END FROM versions v WHERE \(scope);
                    INSERT OR REPLACE INTO aliases (model_id, alias, version_id)
                    SELECT :model, CASE v.number WHEN 50 THEN 'prod' ELSE 'best' END, v.id FROM versions v WHERE \(scope) AND v.number IN (50, 77);
                    """, arguments: arguments)
            }
        }
    }

    static let small: Result<Corpus, any Error> = Result { try Corpus(models: 2, versions: 5) }
    static let large: Result<Corpus, any Error> = Result { try Corpus(models: 10, versions: 100) }

    // MARK: - The per-version queries `list` ran before 0006_listing_indexes, as the reference

    /// `list` as it was: the versions, then several queries for each.
    static func listedOneByOne(_ registry: ModelRegistry, _ filter: VersionFilter) throws -> [VersionSummary] {
        try registry.store.queue.read { db in
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let model = filter.model { conditions.append("models.name = ?"); arguments.append(model) }
            if let tag = filter.tag {
                conditions.append("EXISTS (SELECT 1 FROM meta_graph_tags t JOIN meta_graphs g ON g.id = t.meta_graph_id WHERE t.tag = ? AND g.version_id = versions.id)")
                arguments.append(tag)
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
            return try rows.map { version in
                let id = version.id!
                let name = try String.fetchOne(db, sql: "SELECT name FROM models WHERE id = ?", arguments: [version.modelID]) ?? "?"
                let tagSets = try TagSet.fetchAll(db, sql: "SELECT tag_set FROM meta_graphs WHERE version_id = ? ORDER BY position", arguments: [id])
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
                return VersionSummary(model: name, version: version.number, createdAt: Date(timeIntervalSince1970: version.createdAt),
                                      kind: version.kind, tagSets: tagSets, labels: labels, aliases: aliases, tensors: counts[0],
                                      tensorBytes: counts[1], source: version.source, parent: parent, run: version.run,
                                      globalStep: version.globalStep, metrics: metrics, digest: version.digest)
            }
        }
    }

    /// The SQL statements `body` runs on `registry`'s connection (the suite is serialized, so
    /// that no other test's statements are counted).
    static func statements(_ registry: ModelRegistry, _ body: () throws -> Void) throws -> [String] {
        final class Log: @unchecked Sendable {
            let lock = NSLock()
            var statements: [String] = []
            func add(_ sql: String) { lock.lock(); statements.append(sql); lock.unlock() }
        }
        let log = Log()
        registry.store.queue.inDatabase { db in db.trace(options: .statement) { log.add("\($0)") } }
        defer { registry.store.queue.inDatabase { db in db.trace(options: []) } }
        try body()
        return log.statements
    }

    static func filter(tag: String? = nil, model: String? = nil, labels: [String: String] = [:], latest: Bool = false) -> VersionFilter {
        var filter = VersionFilter()
        filter.tag = tag
        filter.model = model
        filter.labels = labels
        filter.latestOnly = latest
        return filter
    }

    // MARK: - Tests

    @Test func listingsSayWhatThePerVersionQueriesSaid() throws {
        let corpus = try Self.large.get()
        let registry = corpus.registry
        let all = try registry.list()
        #expect(all.count == 2 * corpus.models * Int(corpus.versions))
        // Dense ids (a range scan), sparse ids (a JSON array, parents outside the listing), one model, the latest.
        for filter in [Self.filter(), Self.filter(tag: "serve"), Self.filter(labels: ["n": "7"]), Self.filter(labels: ["n": "1"]),
                       Self.filter(model: "a003"), Self.filter(latest: true), Self.filter(tag: "serve", labels: ["parity": "odd"])] {
            let now = try registry.list(filter)
            let before = try Self.listedOneByOne(registry, filter)
            #expect(now.count == before.count, "\(filter)")
            let differences = zip(now, before).filter { $0 != $1 }.prefix(3).map { "\($0)\n  was \($1)" }
            #expect(differences.isEmpty, "\(filter): \(differences)")
        }
        #expect(try registry.list(Self.filter(tag: "serve")).count == corpus.models * Int(corpus.versions))
        #expect(try registry.list(Self.filter(labels: ["n": "7"])).map { "\($0.model):\($0.version)" }.prefix(3) == ["a000:7", "a001:7", "a002:7"])

        // Some versions spelled out.
        let byName = Dictionary(uniqueKeysWithValues: all.map { ("\($0.model):\($0.version)", $0) })
        let a3 = try #require(byName["a003:50"])
        #expect(a3.tagSets == ["train", "serve"])
        #expect(a3.labels == ["n": "50", "parity": "even"])
        #expect(a3.aliases == ["prod"])
        #expect(a3.parent == "a003:49")
        #expect(a3.tensors == 21 && a3.kind == .savedModel && a3.metrics == nil)
        let a0 = try #require(byName["a000:1"])
        #expect(a0.labels == ["team": "vision", "note": "a \"quoted\" value, é, tab\there"])
        #expect(a0.aliases == ["first"])
        #expect(a0.parent == nil)
        #expect(byName["a001:1"]?.parent == "b000:3")
        let b7 = try #require(byName["b004:77"])
        #expect(b7.tagSets == ["train"])
        #expect(b7.aliases == ["best"])
        #expect(b7.kind == .checkpoint && b7.globalStep == 7700 && b7.run == "b004")
        #expect(b7.metrics == ["accuracy": 0.077, "loss": 2.5 - 77 / 64.0])
        #expect(b7.tensorBytes == byName["b000:1"]?.tensorBytes)

        let history = try registry.history(model: "b002")
        #expect(history.map(\.version) == Array(1...corpus.versions))
        #expect(history == (try Self.listedOneByOne(registry, Self.filter(model: "b002"))))
        let shown = try registry.show(VersionReference(parsing: "a002@prod"))
        var shownSummary = shown.summary
        shownSummary.digest = nil  // `show` computes the version digest these rows, copied in SQL, never recorded
        #expect(shownSummary == byName["a002:50"])
        #expect(shown.lineage == (1...50).reversed().map { "a002:\($0)" })
        #expect(try registry.show(VersionReference(parsing: "a001:2")).lineage == ["a001:2", "a001:1", "b000:3", "b000:2", "b000:1"])
    }

    @Test func theStatementsRunDoNotGrowWithTheVersions() throws {
        let small = try Self.small.get(), large = try Self.large.get()
        var counts: [String: [Int]] = [:]
        for corpus in [small, large] {
            let registry = corpus.registry
            let runs: [(String, () throws -> Void)] = [
                ("ls --tag serve", { _ = try registry.list(Self.filter(tag: "serve")) }),
                ("ls", { _ = try registry.list() }),
                ("ls --label n=3", { _ = try registry.list(Self.filter(labels: ["n": "3"])) }),
                ("ls --latest", { _ = try registry.list(Self.filter(latest: true)) }),
                ("history", { _ = try registry.history(model: "b001") }),
                ("show", { _ = try registry.show(VersionReference(parsing: "a001")) }),
            ]
            for (name, run) in runs {
                let statements = try Self.statements(registry, run)
                counts[name, default: []].append(statements.count)
                if name == "ls --tag serve" {
                    // The versions, their tag sets, aliases and labels, and the one parent not listed
                    // (a001:1's, b000:3), besides GRDB's PRAGMA query_only, BEGIN and COMMIT around a read.
                    let queries = statements.filter { !$0.hasPrefix("PRAGMA") && !$0.hasPrefix("BEGIN") && !$0.hasPrefix("COMMIT") }
                    #expect(queries.count == 5, "\(queries)")
                }
            }
        }
        #expect(try small.registry.list(Self.filter(tag: "serve")).count == 10)
        #expect(try large.registry.list(Self.filter(tag: "serve")).count == 1000)
        for (name, perCorpus) in counts.sorted(by: { $0.key < $1.key }) {
            #expect(perCorpus[0] == perCorpus[1], "\(name): \(perCorpus[0]) statements over 20 versions, \(perCorpus[1]) over 2,000")
        }
    }

    @Test func tensorCountsFollowPushesRemovalsAndTheMigration() throws {
        let corpus = try Corpus(models: 1, versions: 3)
        let registry = corpus.registry
        _ = try registry.push(savedModel: Fixtures.path("keras_tf2"), model: "a000")
        #expect(try registry.remove(VersionReference(parsing: "a000:2")).versions == [2])
        try registry.store.queue.write { db in try db.execute(sql: "DELETE FROM tensors WHERE rowid = (SELECT MIN(rowid) FROM tensors WHERE version_id = (SELECT MAX(id) FROM versions))") }
        try registry.store.queue.write { db in try db.execute(sql: "UPDATE tensors SET size = size + 5 WHERE rowid = (SELECT MAX(rowid) FROM tensors)") }
        let expected = try Self.listedOneByOne(registry, VersionFilter())
        #expect(try registry.list() == expected)
        #expect(expected.count == 6)

        // A registry from before 0006: its counts are filled in when the migration runs.
        try registry.store.queue.writeWithoutTransaction { db in
            try db.execute(sql: """
                DROP TRIGGER tensors_counted_on_insert;
                DROP TRIGGER tensors_counted_on_delete;
                DROP TRIGGER tensors_counted_on_update;
                DROP INDEX meta_graphs_listing;
                DROP INDEX labels_listing;
                DROP INDEX aliases_listing;
                CREATE INDEX meta_graphs_by_version ON meta_graphs(version_id);
                CREATE INDEX aliases_by_version ON aliases(version_id);
                ALTER TABLE versions DROP COLUMN tensor_count;
                ALTER TABLE versions DROP COLUMN tensor_bytes;
                DELETE FROM grdb_migrations WHERE identifier = '0006_listing_indexes';
                """)
        }
        let reopened = try ModelRegistry(path: registry.path)
        #expect(try reopened.list() == expected)
    }
}

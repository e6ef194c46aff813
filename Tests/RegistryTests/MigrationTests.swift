import Foundation
import GRDB
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// The schema comes from the migrations embedded in the binary; a database from a newer
/// registry, or a registry path that is a symbolic link, is refused without being touched.
@Suite struct MigrationTests {
    static func appliedMigrations(_ path: String) throws -> [String] {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier") }
    }

    static func schemaObjects(_ path: String) throws -> Set<String> {
        let queue = try DatabaseQueue(path: path)
        return Set(try queue.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type IN ('table', 'index')") })
    }

    @Test func aFreshRegistryHasEveryEmbeddedMigration() throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path + "/new/registry.db"
            do { _ = try ModelRegistry(path: path) }
            #expect(FileManager.default.fileExists(atPath: path))
            let applied = try Self.appliedMigrations(path)
            let embedded = EmbeddedMigrations.all.map(\.identifier)
            #expect(embedded.starts(with: ["0001_initial", "0002_query_indexes"]), "\(embedded)")
            #expect(applied == embedded.sorted(), "applied \(applied), embedded \(embedded)")
            #expect(embedded == embedded.sorted(), "migrations apply in file-name order")
            let objects = try Self.schemaObjects(path)
            let expected: Set<String> = ["models", "versions", "labels", "aliases", "contents", "chunks", "content_chunks", "meta_graphs",
                                         "meta_graph_tags", "signatures", "signature_tensors", "collections", "tensors", "files",
                                         "labels_by_pair", "meta_graphs_by_tag_set", "signatures_by_key", "content_chunks_by_chunk"]
            #expect(expected.isSubset(of: objects), "missing \(expected.subtracting(objects))")
            // Built beside its path and linked into place: nothing staged is left, and the file has
            // the settings an in-place creation gives (32 KiB pages, a rollback journal).
            let folder = (path as NSString).deletingLastPathComponent
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["registry.db"])
            let settings = try DatabaseQueue(path: path).read { db in
                (try Int.fetchOne(db, sql: "PRAGMA page_size"), try String.fetchOne(db, sql: "PRAGMA journal_mode"))
            }
            #expect(settings.0 == 32768 && settings.1 == "delete", "\(settings)")

            // Opening again applies nothing twice and keeps what was stored.
            do {
                let registry = try ModelRegistry(path: path)
                _ = try registry.push(savedModel: Fixtures.path("keras_tf2"), model: "k")
            }
            let reopened = try ModelRegistry(path: path)
            #expect(try reopened.list().map(\.model) == ["k"])
            #expect(try Self.appliedMigrations(path) == applied)
        }
    }

    @Test func aDatabaseFromANewerRegistryIsRefusedUntouched() throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path + "/registry.db"
            do {
                let registry = try ModelRegistry(path: path)
                _ = try registry.push(savedModel: Fixtures.path("keras_tf2"), model: "k")
            }
            do {
                let queue = try DatabaseQueue(path: path)
                try queue.write { db in
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: ["9999_from_the_future"])
                }
                try queue.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            }
            let before = try fileBytes(path)
            let walBefore = FileManager.default.contents(atPath: path + "-wal")

            for readOnly in [false, true] {
                do {
                    _ = try ModelRegistry(path: path, readOnly: readOnly)
                    Issue.record("a database with an unknown migration was opened (readOnly: \(readOnly))")
                } catch let error as StoreError {
                    guard case .newerSchema(let reported, let unknown) = error else {
                        Issue.record("expected newerSchema, got \(error)")
                        continue
                    }
                    #expect(reported == path)
                    #expect(unknown == ["9999_from_the_future"])
                    #expect(error.description.contains("9999_from_the_future"))
                }
            }
            let after = try fileBytes(path)
            let unchanged = before == after
            #expect(unchanged, "the refused database file changed")
            let walAfter = FileManager.default.contents(atPath: path + "-wal")
            #expect((walAfter ?? Data()).isEmpty && (walBefore ?? Data()).isEmpty, "WAL before \(walBefore?.count ?? -1), after \(walAfter?.count ?? -1)")
            // The data is still there for the newer registry.
            let queue = try DatabaseQueue(path: path)
            #expect(try queue.read { db in try String.fetchAll(db, sql: "SELECT name FROM models") } == ["k"])
        }
    }

    @Test func aSymbolicLinkAsRegistryPathIsRefused() throws {
        try withTemporaryDirectory { tmp in
            let real = tmp.path + "/real.db"
            do { _ = try ModelRegistry(path: real) }
            let before = try fileBytes(real)
            let link = tmp.path + "/link.db"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
            let error = #expect(throws: StoreError.self) { _ = try ModelRegistry(path: link) }
            if case .unsafePath(let path, _)? = error {
                #expect(path == link)
            } else {
                Issue.record("expected unsafeRegistryPath, got \(String(describing: error))")
            }
            let unchanged = try fileBytes(real) == before
            #expect(unchanged)

            // A dangling link is refused too, and nothing is created where it points.
            let dangling = tmp.path + "/dangling.db"
            try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: tmp.path + "/elsewhere.db")
            #expect(throws: StoreError.self) { _ = try ModelRegistry(path: dangling) }
            #expect(!FileManager.default.fileExists(atPath: tmp.path + "/elsewhere.db"))
        }
    }
}

import Foundation
import GRDB
import SwiftProtobuf
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryStore

/// Migration 0008 turns a registry whose tensor rows spelled out their `BundleEntryProto`
/// (slices and unknown fields in columns of their own) into one that keeps each entry as its
/// bytes; every version pulls byte-identical afterwards.
@Suite struct TensorEntryMigrationTests {
    /// Fixtures with partitioned tensors (slices), many dtypes, and a Keras model.
    static let cases = ["partitioned_variables", "dtypes_zoo", "keras_tf2"]

    @Test func anEarlierRegistryMigratesAndPullsByteIdentical() throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path + "/registry.db"
            do {
                let registry = try ModelRegistry(path: path)
                for name in Self.cases { _ = try registry.push(savedModel: Fixtures.casePath(name), model: name) }
            }
            let sliced = try Self.rewriteAsBeforeMigration(path)
            #expect(sliced > 0, "the fixtures hold partitioned tensors, whose slices the old layout kept in a column")

            let registry = try ModelRegistry(path: path)
            let columns = try registry.store.queue.read { db in try db.columns(in: "tensors").map(\.name) }
            #expect(columns.contains("entry") && !columns.contains("slices") && !columns.contains("extra"), "\(columns)")
            for name in Self.cases {
                let out = tmp.path + "/" + name
                _ = try registry.pull(VersionReference(model: name), to: out)
                for file in try Self.files(under: Fixtures.casePath(name)) {
                    #expect(try fileBytes(out + "/" + file) == fileBytes(Fixtures.casePath(name) + "/" + file), "\(name)/\(file)")
                }
            }
            #expect(try registry.verify().problems.isEmpty)
        }
    }

    /// Puts the tensors table back as registries before 0008 had it: the entry's fields in
    /// columns, slices and unknown fields as their own blobs, no `entry`, and 0008 not applied.
    /// Returns how many rows had slices.
    static func rewriteAsBeforeMigration(_ path: String) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        return try queue.write { db in
            try db.execute(sql: "ALTER TABLE tensors ADD COLUMN slices BLOB")
            try db.execute(sql: "ALTER TABLE tensors ADD COLUMN extra BLOB")
            var sliced = 0
            for row in try Row.fetchAll(db, sql: "SELECT id, key, entry FROM tensors") {
                let entry = try BundleEntry(key: [UInt8](row["key"] as Data), encodedValue: [UInt8](row["entry"] as Data), file: "test")
                let slices = entry.slices.isEmpty ? nil : try Tensorflow_BundleEntryProto.with { $0.slices = entry.slices.map(\.proto) }
                    .serializedData()
                if slices != nil { sliced += 1 }
                try db.execute(sql: "UPDATE tensors SET slices = ?, extra = ? WHERE id = ?",
                               arguments: [slices, entry.unknownFields.isEmpty ? nil : entry.unknownFields, row["id"] as Int64])
            }
            try db.execute(sql: "ALTER TABLE tensors DROP COLUMN entry")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: [TensorEntryMigration.identifier])
            return sliced
        }
    }

    static func files(under root: String) throws -> [String] {
        let walker = try #require(FileManager.default.enumerator(atPath: root))
        return walker.compactMap { $0 as? String }.filter { relative in
            var folder: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &folder) && !folder.boolValue
        }
    }
}

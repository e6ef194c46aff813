import Foundation
import GRDB
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// SQLite's refusals reach the user as errors that say what happened and what to do, and
/// the registry is left as it was.
@Suite struct DatabaseErrorTests {
    @Test func aReadOnlyRegistryRefusesAPushInWords() throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path + "/registry.db"
            _ = try ModelRegistry(path: path).push(savedModel: Fixtures.path("seed_mlp_training"), model: "m")
            let readOnly = try ModelRegistry(path: path, readOnly: true)
            #expect(try readOnly.list().count == 1)
            do {
                _ = try readOnly.push(savedModel: Fixtures.path("seed_mlp_training"), model: "m")
                Issue.record("a push into a read-only registry succeeded")
            } catch StoreError.readOnly(let failed) {
                #expect(failed == path)
                #expect(StoreError.readOnly(path: path).description.contains("cannot be written"))
            }
            #expect(try ModelRegistry(path: path).history(model: "m").map(\.version) == [1])
        }
    }

    @Test func aLockHeldPastTheTimeoutIsReportedAndChangesNothing() throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path + "/registry.db"
            let registry = try ModelRegistry(path: path, busyTimeout: 0.3)
            // Another process's writer, holding the write lock.
            let other = try DatabaseQueue(path: path)
            try other.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                do {
                    _ = try registry.push(savedModel: Fixtures.path("seed_mlp_training"), model: "m")
                    Issue.record("a push went through while another writer held the lock")
                } catch StoreError.locked(let failed) {
                    #expect(failed == path)
                }
                try db.execute(sql: "ROLLBACK")
            }
            #expect(try registry.list().isEmpty)
            #expect(try registry.push(savedModel: Fixtures.path("seed_mlp_training"), model: "m").version == 1)
        }
    }

    @Test func aFileThatIsNotADatabaseIsRefusedUntouched() throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path + "/registry.db"
            let garbage = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            try garbage.write(to: URL(fileURLWithPath: path))
            #expect(throws: StoreError.self) { try ModelRegistry(path: path) }
            #expect(FileManager.default.contents(atPath: path) == garbage)
        }
    }

    /// Another process holding the database past the busy timeout while `registry` opens it
    /// is reported as a lock, not as "cannot use this registry database" (issue 21, item 12).
    @Test(arguments: [false, true])
    func aLockHeldWhileOpeningIsReportedAsLocked(readOnly: Bool) throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path + "/registry.db"
            _ = try ModelRegistry(path: path).push(savedModel: Fixtures.path("seed_mlp_training"), model: "m")
            let other = try DatabaseQueue(path: path)
            try other.writeWithoutTransaction { db in
                // An exclusive lock, as `sqlite3 registry.db 'BEGIN EXCLUSIVE; …'` takes it.
                try db.execute(sql: "BEGIN EXCLUSIVE")
                let error = #expect(throws: StoreError.self) { _ = try ModelRegistry(path: path, readOnly: readOnly, busyTimeout: 0.3) }
                #expect(error == .locked(path: path), "\(String(describing: error))")
                #expect(error?.description.contains("locked past the busy timeout") == true)
                try db.execute(sql: "ROLLBACK")
            }
            #expect(try ModelRegistry(path: path).list().count == 1)
        }
    }
}

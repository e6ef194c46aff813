import Foundation
import GRDB
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// A registry that runs out of space in the middle of a push refuses it with
/// `StoreError.diskFull`, naming the registry file, and is left exactly as it was: the same
/// versions, every chunk intact, no chunk of the failed push left behind, no version number
/// used up. Once there is room again the same push succeeds.
///
/// The first test fills the database with SQLite's `PRAGMA max_page_count` on the registry's
/// own connection (the limit belongs to the connection, so it holds for every write of this
/// `ModelRegistry`), at several amounts of headroom so that the push fails at different
/// points. The second puts the registry on a real 2 MiB tmpfs when it can be mounted (as
/// root, with the privilege to mount), and says so and passes when it cannot.
@Suite struct DiskFullTests {
    /// Everything `list()` and `verify()` say about a registry.
    struct State: Equatable {
        var versions: [VersionSummary]
        var counts: [Int64]
    }

    static func state(_ registry: ModelRegistry) throws -> State {
        let report = try registry.verify()
        #expect(report.problems.isEmpty, "verify: \(report.problems)")
        return State(versions: try registry.list(),
                     counts: [Int64(report.versions), Int64(report.tensors), Int64(report.files), Int64(report.chunks), report.bytes])
    }

    /// Pushes a model too big for the room left and requires `StoreError.diskFull` naming `path`.
    static func expectDiskFull(_ registry: ModelRegistry, path: String, model: String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let result = try registry.push(savedModel: Fixtures.path("large_weights"), model: model)
            Issue.record("a push into a full registry succeeded: \(result.model):\(result.version)", sourceLocation: sourceLocation)
        } catch StoreError.diskFull(let failed) {
            #expect(failed == path, sourceLocation: sourceLocation)
            let message = StoreError.diskFull(path: failed).description
            #expect(message.contains(path) && message.contains("nothing was changed"), "\(message)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("a push into a full registry failed with \(error), not StoreError.diskFull", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [0, 1, 8, 32, 64, 100])
    func aPushThatRunsOutOfPagesFailsAndChangesNothing(headroom: Int) throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path + "/registry.db"
            let registry = try ModelRegistry(path: path)
            _ = try registry.push(savedModel: Fixtures.path("seed_mlp_training"), model: "m")
            let before = try Self.state(registry)

            // large_weights stores 4.3 MiB in 16 chunks even compressed: over 130 pages of 32 KiB,
            // so the push runs out at its start, after a few chunks, or near its end.
            let pages = try registry.store.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count")! }
            let limit = try registry.store.queue.writeWithoutTransaction { db in
                try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages + headroom)")!
            }
            #expect(limit == pages + headroom)
            Self.expectDiskFull(registry, path: path, model: "big")
            Self.expectDiskFull(registry, path: path, model: "m")
            #expect(try Self.state(registry) == before, "the failed pushes changed the registry")
            #expect(try ModelRegistry(path: path).list() == before.versions, "another connection sees a change")

            // Room again: the same pushes succeed, numbered as if the failed ones never happened.
            try registry.store.queue.writeWithoutTransaction { db in _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = 1073741823") }
            #expect(try registry.push(savedModel: Fixtures.path("large_weights"), model: "big").version == 1)
            #expect(try registry.push(savedModel: Fixtures.path("seed_mlp_training"), model: "m").version == 2)
            let after = try Self.state(registry)
            #expect(after.versions.map { "\($0.model):\($0.version)" } == ["big:1", "m:1", "m:2"])
        }
    }

    /// Mounts a tmpfs of `megabytes` MiB at `folder`; false when this process may not mount.
    static func mountTmpfs(_ folder: String, megabytes: Int, remount: Bool = false) -> Bool {
        #if os(Linux)
        guard geteuid() == 0 else { return false }
        let options = (remount ? "remount," : "") + "size=\(megabytes)m"
        let result = try? runProcess("/bin/mount", ["-t", "tmpfs", "-o", options, "tmpfs", folder])
        return result?.status == 0
        #else
        return false
        #endif
    }

    @Test func aRegistryOnAFullFileSystemRefusesThePushAndChangesNothing() throws {
        try withTemporaryDirectory(label: "registry-disk-full") { tmp in
            let mountPoint = tmp.path + "/small"
            try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
            // 6 MiB: a new registry with its first push is 2.1 MiB (32 KiB pages, a page per
            // table and index), and the push's rollback journal needs room beside it.
            guard Self.mountTmpfs(mountPoint, megabytes: 6) else {
                print("DiskFullTests: cannot mount a tmpfs here (needs root and the privilege to mount); the real full-disk case was not run")
                return
            }
            defer { _ = try? runProcess("/bin/umount", [mountPoint]) }
            let path = mountPoint + "/registry.db"
            do {
                let registry = try ModelRegistry(path: path)
                _ = try registry.push(savedModel: Fixtures.path("seed_mlp_training"), model: "m")
                let before = try Self.state(registry)
                // 8 MiB of weights into what is left of 6 MiB.
                Self.expectDiskFull(registry, path: path, model: "big")
                #expect(try Self.state(registry) == before, "the failed push changed the registry")
                // A small push may still fit: the failed one left no chunks behind to crowd it out.
                #expect(try registry.push(savedModel: Fixtures.path("keras_tf2"), model: "k").version == 1)

                try #require(Self.mountTmpfs(mountPoint, megabytes: 64, remount: true), "could not grow the tmpfs")
                #expect(try registry.push(savedModel: Fixtures.path("large_weights"), model: "big").version == 1)
                #expect(try Self.state(registry).versions.map { "\($0.model):\($0.version)" } == ["big:1", "k:1", "m:1"])
            }
            // Every connection closed before the unmount.
        }
    }
}

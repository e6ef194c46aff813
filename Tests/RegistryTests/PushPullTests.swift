import Foundation
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// Every fixture pushed into a registry comes back out byte-identical.
@Suite struct PushPullTests {
    @Test(arguments: Fixtures.savedModelCases)
    func pushThenPullIsByteIdentical(name: String) throws {
        try withTemporaryDirectory { tmp in
            let registry = try ModelRegistry(path: tmp.path + "/r/registry.db")
            let source = Fixtures.path(name)
            let pushed = try registry.push(savedModel: source, model: name)
            #expect(pushed.version == 1)
            let pulled = try registry.pull(VersionReference(model: name), to: tmp.path + "/out")
            #expect(pulled.version == 1)
            let original = try DirectoryListing.scan(source), copy = try DirectoryListing.scan(tmp.path + "/out")
            #expect(original == copy)
            for file in original.files {
                let same = try fileBytes(source + "/" + file) == fileBytes(tmp.path + "/out/" + file)
                #expect(same, "\(name)/\(file) differs after push and pull")
            }
            let report = try registry.verify()
            #expect(report.problems.isEmpty, "\(report.problems)")
        }
    }

    @Test func secondPushOfTheSameModelCostsAlmostNothing() throws {
        try withRegistry { registry, tmp in
            let first = try registry.push(savedModel: Fixtures.path("large_weights"), model: "w")
            let second = try registry.push(savedModel: Fixtures.path("large_weights"), model: "w")
            #expect(second.version == 2)
            #expect(second.statistics.storedBytes == 0)
            #expect(second.statistics.dedupBytes == second.statistics.rawBytes)
            #expect(first.statistics.storedBytes > 1_000_000)
        }
    }

    /// A deleted version's number is never given out again, so `m:2` always means the same bytes.
    @Test func versionNumbersAreNeverReused() throws {
        try withRegistry { registry, tmp in
            for _ in 0..<2 { _ = try registry.push(savedModel: Fixtures.path("seed_mlp_training"), model: "m") }
            #expect(try registry.remove(VersionReference(model: "m", selector: .number(2))).versions == [2])
            #expect(try registry.push(savedModel: Fixtures.path("seed_mlp_training"), model: "m").version == 3)
            #expect(try registry.history(model: "m").map(\.version) == [1, 3])
        }
    }
}

import Foundation
import Testing
import TestSupport
@testable import Registry

/// One rule for deleting a version that has children, whoever deletes it (`rm`, `rm --all`,
/// retention): its children are re-linked to its parent, so the lineage `show` prints stays whole.
@Suite struct LineageTests {
    static func push(_ registry: ModelRegistry, _ model: String, parent: String? = nil) throws {
        var options = ModelRegistry.PushOptions()
        options.parent = try parent.map(VersionReference.init(parsing:))
        _ = try registry.push(savedModel: Fixtures.casePath("keras_tf2"), model: model, options: options)
    }

    static func lineage(_ registry: ModelRegistry, _ reference: String) throws -> [String] {
        try registry.show(VersionReference(parsing: reference)).lineage
    }

    @Test func removingAVersionRelinksItsChildrenToItsParent() throws {
        try withRegistry { registry, _ in
            try Self.push(registry, "m")
            try Self.push(registry, "m", parent: "m:1")
            try Self.push(registry, "m", parent: "m:2")
            #expect(try Self.lineage(registry, "m:3") == ["m:3", "m:2", "m:1"])
            _ = try registry.remove(VersionReference(parsing: "m:2"))
            #expect(try Self.lineage(registry, "m:3") == ["m:3", "m:1"])
            _ = try registry.remove(VersionReference(parsing: "m:1"))
            #expect(try Self.lineage(registry, "m:3") == ["m:3"])
        }
    }

    @Test func removingAModelRelinksChildrenElsewhereToTheNearestAncestorLeft() throws {
        try withRegistry { registry, _ in
            try Self.push(registry, "base")
            try Self.push(registry, "m", parent: "base:1")
            try Self.push(registry, "m", parent: "m:1")
            try Self.push(registry, "child", parent: "m:2")
            #expect(try Self.lineage(registry, "child:1") == ["child:1", "m:2", "m:1", "base:1"])
            #expect(try registry.removeModel("m").versions == [1, 2])
            #expect(try Self.lineage(registry, "child:1") == ["child:1", "base:1"])
            #expect(try registry.list().first { $0.model == "child" }?.parent == "base:1")
        }
    }
}

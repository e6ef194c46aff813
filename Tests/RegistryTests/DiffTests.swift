import Foundation
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// `diff` between versions: which tensors were added, removed or changed, and by how much.
@Suite struct DiffTests {
    /// A copy of `case` with one float32 element and the int64 `global_step` changed, and the
    /// index's crc32c re-encoded so that the folder is valid.
    static func modifiedCopy(of name: String, in folder: String, float key: String, element: Int, delta: Float) throws -> (before: Float, after: Float) {
        let source = Fixtures.path(name)
        try FileManager.default.createDirectory(atPath: folder + "/variables", withIntermediateDirectories: true)
        for file in ["saved_model.pb", "assets.extra/training_data.npz"] where FileManager.default.fileExists(atPath: source + "/" + file) {
            try FileManager.default.createDirectory(atPath: (folder + "/" + file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(fileBytes(source + "/" + file)).write(to: URL(fileURLWithPath: folder + "/" + file))
        }
        var index = try BundleIndex.decode(fileBytes(source + "/variables/variables.index"), file: "variables.index")
        var data = try fileBytes(source + "/variables/variables.data-00000-of-00001")
        var before: Float = 0, after: Float = 0
        for position in index.entries.indices {
            var entry = index.entries[position]
            let start = Int(entry.offset)
            if entry.name == key {
                let at = start + 4 * element
                before = data[at..<(at + 4)].withUnsafeBytes { $0.loadUnaligned(as: Float.self) }
                after = before + delta
                withUnsafeBytes(of: after) { data.replaceSubrange(at..<(at + 4), with: $0) }
            } else if entry.name == "global_step" {
                let value = data[start..<(start + 8)].withUnsafeBytes { $0.loadUnaligned(as: Int64.self) } + 1000
                withUnsafeBytes(of: value) { data.replaceSubrange(start..<(start + 8), with: $0) }
            } else {
                continue
            }
            entry.maskedCRC32C = CRC32C.mask(CRC32C.checksum(data[start..<(start + Int(entry.size))]))
            index.entries[position] = entry
        }
        try Data(index.encode()).write(to: URL(fileURLWithPath: folder + "/variables/variables.index"))
        try Data(data).write(to: URL(fileURLWithPath: folder + "/variables/variables.data-00000-of-00001"))
        return (before, after)
    }

    @Test func diffReportsChangedTensorsWithTheLargestDifference() throws {
        try withRegistry { registry, tmp in
            _ = try registry.push(savedModel: Fixtures.path("seed_mlp_training"), model: "d")
            let key = "hideen_layer_2/kernel"
            let (before, after) = try Self.modifiedCopy(of: "seed_mlp_training", in: tmp.path + "/v2", float: key, element: 77, delta: 0.375)
            var options = ModelRegistry.PushOptions()
            options.parent = VersionReference(model: "d", selector: .number(1))
            _ = try registry.push(savedModel: tmp.path + "/v2", model: "d", options: options)
            #expect(try registry.verify().problems.isEmpty)

            let diff = try registry.diff(VersionReference(parsing: "d:1"), VersionReference(parsing: "d:2"))
            #expect(diff.added.isEmpty && diff.removed.isEmpty)
            #expect(diff.changed.map(\.name) == ["global_step", key])
            #expect(diff.unchanged == 19)
            let kernel = try #require(diff.changed.first { $0.name == key })
            #expect(kernel.maxAbsDifference == abs(Double(after) - Double(before)), "\(kernel)")
            #expect(kernel.before == kernel.after)
            let step = try #require(diff.changed.first { $0.name == "global_step" })
            #expect(step.maxAbsDifference == nil, "int64 tensors have no float difference")
            // The other way round gives the same sizes of change; a version against itself has none.
            let back = try registry.diff(VersionReference(parsing: "d:2"), VersionReference(parsing: "d:1"))
            #expect(back.changed.first { $0.name == key }?.maxAbsDifference == kernel.maxAbsDifference)
            let none = try registry.diff(VersionReference(parsing: "d"), VersionReference(parsing: "d:2"))
            #expect(none.changed.isEmpty && none.unchanged == 21)
            #expect(try registry.show(VersionReference(parsing: "d")).lineage == ["d:2", "d:1"])
        }
    }

    @Test func diffOfBundlesWrittenFromScratch() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.cleanup() }
        let registry = try ModelRegistry(path: tmp.path + "/registry.db")
        let graph = try fileBytes(Fixtures.path("keras_tf2") + "/saved_model.pb")
        func floats(_ values: [Float]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }
        func doubles(_ values: [Double]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }
        func write(_ name: String, _ body: (BundleWriter) throws -> Void) throws -> String {
            let folder = tmp.path + "/" + name
            try FileManager.default.createDirectory(atPath: folder + "/variables", withIntermediateDirectories: true)
            try Data(graph).write(to: URL(fileURLWithPath: folder + "/saved_model.pb"))
            let writer = try BundleWriter(prefix: folder + "/variables/variables")
            try body(writer)
            try writer.finish()
            return folder
        }
        let a = try write("a") { w in
            try w.add(key: Array("kept".utf8), dtype: .float32, shape: [3], bytes: floats([1, 2, 3]))
            try w.add(key: Array("moved".utf8), dtype: .float32, shape: [4], bytes: floats([0, 0, 0, 0]))
            try w.add(key: Array("wide".utf8), dtype: .float64, shape: [2], bytes: doubles([1.5, -2]))
            try w.add(key: Array("reshaped".utf8), dtype: .float32, shape: [2, 2], bytes: floats([1, 2, 3, 4]))
            try w.add(key: Array("gone".utf8), dtype: .int32, shape: [1], bytes: [7, 0, 0, 0])
            try w.add(key: Array("names".utf8), shape: [2], strings: [Array("a".utf8), Array("b".utf8)])
        }
        let b = try write("b") { w in
            try w.add(key: Array("kept".utf8), dtype: .float32, shape: [3], bytes: floats([1, 2, 3]))
            try w.add(key: Array("moved".utf8), dtype: .float32, shape: [4], bytes: floats([0, -0.5, 2, 0.25]))
            try w.add(key: Array("wide".utf8), dtype: .float64, shape: [2], bytes: doubles([1.5, 6]))
            try w.add(key: Array("reshaped".utf8), dtype: .float32, shape: [4], bytes: floats([1, 2, 3, 4]))
            try w.add(key: Array("new".utf8), dtype: .bfloat16, shape: [1], bytes: [0x80, 0x3f])
            try w.add(key: Array("names".utf8), shape: [2], strings: [Array("a".utf8), Array("c".utf8)])
        }
        _ = try registry.push(savedModel: a, model: "x")
        _ = try registry.push(savedModel: b, model: "x")
        let diff = try registry.diff(VersionReference(parsing: "x:1"), VersionReference(parsing: "x:2"))
        #expect(diff.added.map(\.name) == ["new"])
        #expect(diff.added.first?.dtype == "bfloat16")
        #expect(diff.removed.map(\.name) == ["gone"])
        #expect(diff.unchanged == 1)
        #expect(diff.changed.map(\.name) == ["moved", "names", "reshaped", "wide"])
        let changes = Dictionary(uniqueKeysWithValues: diff.changed.map { ($0.name, $0) })
        #expect(changes["moved"]?.maxAbsDifference == 2)
        #expect(changes["wide"]?.maxAbsDifference == 8)
        #expect(changes["reshaped"]?.maxAbsDifference == nil, "different shapes have no element-wise difference")
        #expect(changes["reshaped"].map { $0.before != $0.after } == true)
        #expect(changes["names"]?.maxAbsDifference == nil, "strings have no numeric difference")
        #expect(diff.from.contains("x:1") && diff.to.contains("x:2"))
    }
}

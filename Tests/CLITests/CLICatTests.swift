import Foundation
import Testing
import TestSupport
@testable import RegistryFormat

/// `registry cat REF TENSOR`: one tensor as raw bytes or a `.npy`, equal to what the fixture's
/// own files hold (partitioned tensors assembled), with its output and exit codes pinned.
@Suite struct CLICatTests {
    @Test func rawBytesAndNpyEqualTheFixturesTensors() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("seed_mlp_training"), "seed")
        let bundle = try BundleReader(prefix: Fixtures.casePath("seed_mlp_training") + "/variables/variables")
        let entry = try #require(bundle.index.entry(named: "hidden_layer_1/kernel"))
        let expected = try bundle.fullValue(of: entry)

        let stdout = try cli.ok("cat", "seed", "hidden_layer_1/kernel")
        #expect([UInt8](stdout.stdout) == expected && stdout.stderr.isEmpty)

        let file = cli.tmp.path + "/kernel.npy"
        let written = try cli.ok("cat", "seed:1", "hidden_layer_1/kernel", "--npy", "-o", file)
        #expect(written.out == "wrote seed:1 hidden_layer_1/kernel (float32[28,64]) to \(file): 7.1 KiB\n")
        let npy = try NPYArray.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: file))))
        #expect(npy.descr == "<f4" && npy.shape == [28, 64] && npy.data == expected)
        let header = try Data(contentsOf: URL(fileURLWithPath: file)).prefix(128)
        #expect(header.count == 128 && header[0] == 0x93 && header[6] == 1, "format 1.0")
        #expect(String(decoding: header[10..<128], as: UTF8.self) == "{'descr': '<f4', 'fortran_order': False, 'shape': (28, 64), }"
                + String(repeating: " ", count: 56) + "\n", "the data starts at 128, a multiple of 64")

        let json = try #require(try cli.json("cat", "seed", "global_step", "--npy", "-o", cli.tmp.path + "/step.npy") as? [String: Any])
        #expect(Set(json.keys) == ["model", "version", "tensor", "dtype", "shape", "format", "npyDescr", "bytes", "path"])
        #expect(json["dtype"] as? String == "int64" && json["shape"] as? [Int] == [] && json["npyDescr"] as? String == "<i8")
        #expect(json["format"] as? String == "npy" && json["bytes"] as? Int == 128 + 8 && json["path"] as? String == cli.tmp.path + "/step.npy")
    }

    @Test func partitionedTensorsAreAssembledFromTheirSlices() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let source = Fixtures.casePath("partitioned_variables")
        try cli.ok("push", source, "p")
        let bundle = try BundleReader(prefix: source + "/variables/variables")
        let entry = try #require(bundle.index.entry(named: "embedding"))
        #expect(!entry.slices.isEmpty)
        let raw = try cli.ok("cat", "p", "embedding")
        #expect([UInt8](raw.stdout) == (try bundle.fullValue(of: entry)) && raw.stdout.count == 1000 * 16 * 4)
    }

    @Test func refusalsSayWhatToDo() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("seed_mlp_training"), "seed")
        let missing = try cli.run("cat", "seed", "no/such")
        #expect(missing.status == 1 && missing.stdout.isEmpty)
        #expect(missing.stderr == "Error: seed:1 has no tensor 'no/such'; `registry show seed:1` lists its tensors\n")
        let json = try cli.run("cat", "seed", "no/such", "--json", "-o", cli.tmp.path + "/x.npy")
        let error = try #require((try JSONSerialization.jsonObject(with: Data(json.stderr.utf8)) as? [String: Any])?["error"] as? [String: Any])
        #expect(error["code"] as? String == "tensor_not_found" && error["category"] as? String == "not_found")
        #expect(!FileManager.default.fileExists(atPath: cli.tmp.path + "/x.npy"))
        #expect(try cli.run("cat", "seed", "global_step", "--json").status == 64, "--json describes a file written with -o")
        let taken = cli.tmp.path + "/taken"
        try Data("keep".utf8).write(to: URL(fileURLWithPath: taken))
        #expect(try cli.run("cat", "seed", "global_step", "-o", taken).status == 1)
        #expect(try String(contentsOfFile: taken, encoding: .utf8) == "keep")
        try cli.ok("cat", "seed", "global_step", "-o", taken, "--force")
        #expect(try Data(contentsOf: URL(fileURLWithPath: taken)).count == 8)
    }
}

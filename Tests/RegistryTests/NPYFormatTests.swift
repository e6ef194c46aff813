import Foundation
import Testing
import TestSupport
@testable import RegistryFormat

/// The `.npy` files `cat --npy` writes, read back by numpy itself (`allow_pickle=False`): every
/// numeric type's header, strings as fixed-width bytes and as records when an element ends in
/// NUL, and the most dimensions numpy has.
@Suite struct NPYFormatTests {
    static let reader = #"""
    import json, sys
    import numpy as np
    out = {}
    for path in sys.argv[1:]:
        array = np.load(path, allow_pickle=False)
        if array.dtype.names:
            values = [bytes(r["bytes"].tobytes()[: int(r["length"])]).hex() for r in array.reshape(-1)]
        elif array.dtype.kind == "S":
            values = [bytes(v).hex() for v in array.reshape(-1)]
        else:
            values = array.reshape(-1).tolist()
        out[path.rsplit("/", 1)[-1]] = {"descr": np.lib.format.dtype_to_descr(array.dtype), "shape": list(array.shape), "values": values}
    print(json.dumps(out))
    """#

    @Test func headersAreAlignedFormatOne() {
        for shape: [Int64] in [[], [3], [2, 3], Array(repeating: Int64.max, count: NPYFormat.maxRank)] {
            let header = NPYFormat.header(descr: "<f4", shape: shape)
            #expect(header.count % 64 == 0 && header[6] == 1 && header.last == 0x0a, "\(shape)")
            #expect(Int(header[8]) | Int(header[9]) << 8 == header.count - 10)
        }
    }

    @Test(.enabled(if: TensorFlowOracle.enabled, "needs the venv's numpy (make test)"))
    func numpyReadsWhatIsWritten() throws {
        try withTemporaryDirectory { tmp in
            var files: [String: [UInt8]] = [:]
            let floats: [Float] = [1.5, -2, 0.25, 1e30, -0.0, 3]
            files["f4.npy"] = NPYFormat.header(descr: "<f4", shape: [2, 3]) + floats.withUnsafeBytes { Array($0) }
            files["i8.npy"] = NPYFormat.header(descr: "<i8", shape: []) + withUnsafeBytes(of: Int64(-7).littleEndian) { Array($0) }
            files["wide.npy"] = NPYFormat.header(descr: "|u1", shape: Array(repeating: 1, count: NPYFormat.maxRank)) + [42]
            let plain: [[UInt8]] = [Array("ab".utf8), [], Array("xyz".utf8)]
            files["plain.npy"] = NPYFormat.strings(plain, shape: [3], limit: 1 << 20)?.bytes
            let exact: [[UInt8]] = [[0x61, 0], [], [0, 0, 0]]
            files["exact.npy"] = NPYFormat.strings(exact, shape: [3, 1], limit: 1 << 20)?.bytes
            #expect(NPYFormat.strings([Array(repeating: 1, count: 1000), []], shape: [2], limit: 1500) == nil, "padding past the limit")
            for (name, bytes) in files { try Data(bytes).write(to: URL(fileURLWithPath: tmp.path + "/" + name)) }
            let result = try TensorFlowOracle.runScript(Self.reader, files.keys.sorted().map { tmp.path + "/" + $0 })
            try #require(result.status == 0, "\(result.summary)")
            let read = try #require(try result.json() as? [String: [String: Any]])
            #expect(read["f4.npy"]?["descr"] as? String == "<f4" && read["f4.npy"]?["shape"] as? [Int] == [2, 3])
            #expect((read["f4.npy"]?["values"] as? [Double]) == floats.map(Double.init))
            #expect(read["i8.npy"]?["shape"] as? [Int] == [] && read["i8.npy"]?["values"] as? [Int] == [-7])
            #expect((read["wide.npy"]?["shape"] as? [Int])?.count == NPYFormat.maxRank && read["wide.npy"]?["values"] as? [Int] == [42])
            #expect(read["plain.npy"]?["descr"] as? String == "|S3" && read["plain.npy"]?["values"] as? [String] == ["6162", "", "78797a"])
            #expect(read["exact.npy"]?["shape"] as? [Int] == [3, 1] && read["exact.npy"]?["values"] as? [String] == ["6100", "", "000000"])
        }
    }
}

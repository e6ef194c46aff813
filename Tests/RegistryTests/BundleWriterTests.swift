import Foundation
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// Bundles we write from scratch are read back by our reader and by TensorFlow itself.
@Suite struct BundleWriterTests {
    /// dtypes whose values any bit pattern makes valid (bool gets 0/1 below).
    static let dtypes: [DType] = [.float32, .float64, .int32, .uint8, .int16, .int8, .complex64, .int64, .bool,
                                  .bfloat16, .float16, DType(rawValue: 17), DType(rawValue: 18), DType(rawValue: 22),
                                  DType(rawValue: 23), .string]

    struct Written {
        var prefix: String
        var digests: [String: (dtype: String, shape: [Int64], sha256: String)]
    }

    /// Writes `count` random tensors over `shards` shards, plus one key over 512 KiB.
    static func writeRandomBundle(in folder: String, count: Int, shards: Int32, seed: UInt64) throws -> Written {
        var rng = SeededGenerator(seed: seed)
        let prefix = folder + "/model.ckpt-\(count)"
        let writer = try BundleWriter(prefix: prefix, header: BundleHeader(numShards: shards))
        var digests: [String: (String, [Int64], String)] = [:]
        var names = Set<String>()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz_/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.-é名")
        while names.count < count {
            let length = Int.random(in: 1...40, using: &rng)
            names.insert(String((0..<length).map { _ in alphabet.randomElement(using: &rng)! }))
        }
        if count > 0 { names.insert(String(repeating: "k", count: 600 * 1024)) }
        for name in names.sorted() {
            let dtype = dtypes.randomElement(using: &rng)!
            let rank = Int.random(in: 0...3, using: &rng)
            let shape = (0..<rank).map { _ in Int64.random(in: 0...5, using: &rng) }
            let elements = Int(BundleEntry.elementCount(of: shape)!)
            let shard = Int32.random(in: 0..<shards, using: &rng)
            let entry: BundleEntry
            if dtype == .string {
                let strings = (0..<elements).map { _ in
                    (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                }
                entry = try writer.add(key: Array(name.utf8), shape: shape, strings: strings, shard: shard)
            } else {
                var bytes = (0..<(elements * dtype.elementSize!)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                if dtype == .bool { bytes = bytes.map { $0 & 1 } }
                entry = try writer.add(key: Array(name.utf8), dtype: dtype, shape: shape, bytes: bytes, shard: shard)
            }
            _ = entry
        }
        let index = try writer.finish()
        let reader = try BundleReader(prefix: prefix, index: index)
        for entry in reader.index.entries {
            digests[entry.name!] = (entry.dtype.name, entry.shape, try manifestDigest(entry, value: try reader.read(entry)))
        }
        return Written(prefix: prefix, digests: digests)
    }

    @Test(arguments: [(0, Int32(1)), (1, 1), (300, 3), (20_000, 4)])
    func ourReaderReadsWhatWeWrite(count: Int, shards: Int32) throws {
        try withTemporaryDirectory { tmp in
            let written = try Self.writeRandomBundle(in: tmp.path, count: count, shards: shards, seed: UInt64(count) + 7)
            let reopened = try BundleReader(prefix: written.prefix)
            #expect(reopened.index.entries.count == written.digests.count)
            #expect(reopened.index.header.numShards == shards)
            for entry in reopened.index.entries {
                #expect(try manifestDigest(entry, value: reopened.read(entry)) == written.digests[entry.name!]?.sha256)
            }
        }
    }

    @Test(.enabled(if: TensorFlowOracle.enabled, "needs the TensorFlow venv (make test)"),
          arguments: [(0, Int32(1)), (37, 2), (20_000, 3)])
    func tensorFlowReadsWhatWeWrite(count: Int, shards: Int32) throws {
        try withTemporaryDirectory { tmp in
            let written = try Self.writeRandomBundle(in: tmp.path, count: count, shards: shards, seed: UInt64(count) * 31 + 1)
            let seen = try TensorFlowOracle.checkpointVariables(prefix: written.prefix)
            #expect(Set(seen.keys) == Set(written.digests.keys), "TensorFlow sees other keys")
            var mismatches: [String] = []
            for (key, ours) in written.digests {
                guard let theirs = seen[key] else { continue }
                if theirs.dtype != ours.dtype || theirs.shape != ours.shape || theirs.sha256 != ours.sha256 {
                    mismatches.append("\(key.prefix(60)): ours \(ours.dtype)\(ours.shape) TF \(theirs.dtype)\(theirs.shape)")
                }
            }
            #expect(mismatches.isEmpty, "\(mismatches.count) tensors differ: \(mismatches.prefix(5))")
        }
    }
}

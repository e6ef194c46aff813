import Foundation
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// Binary slice keys (spec §5.4). Expected bytes come from the `partitioned_variables` fixture
/// TF wrote and the spec's examples; the OrderedCode they are built from is `OrderedCodeTests`.
@Suite struct TensorSliceKeyTests {
    // MARK: - TF's partitioned_variables fixture

    static let embeddingSlices: [TensorSlice] = [
        TensorSlice(extents: [.init(start: 0, length: 334), .init(start: 0, length: 16)]),
        TensorSlice(extents: [.init(start: 334, length: 333), .init(start: 0, length: 16)]),
        TensorSlice(extents: [.init(start: 667, length: 333), .init(start: 0, length: 16)]),
    ]

    @Test func partitionedVariablesManifestKeys() throws {
        let keys = try #require(Fixtures.cases["partitioned_variables"]?["raw_index_keys"] as? [[String: Any]])
        let sliceKeys = keys.filter { ($0["num_slices"] as? Int) == 0 }
        #expect(sliceKeys.count == 3)
        for (i, info) in sliceKeys.enumerated() {
            let bytes = bytesFromHex(try #require(info["key_hex"] as? String))
            let key = try #require(TensorSliceKey.decode(bytes))
            #expect(key.name == Array("embedding".utf8))
            #expect(key.slice == Self.embeddingSlices[i])
            #expect(key.slice.shape(in: [1000, 16]) == (info["shape"] as? [Int])?.map(Int64.init))
            #expect(key.encoded == bytes, "re-encoded key \(i) differs from TF's")
        }
        // Start and length of each row range, as TF wrote them: [0,334), [334,667), [667,1000).
        #expect(Self.embeddingSlices.map { $0.extents[0].start + $0.extents[0].length! } == [334, 667, 1000])
        let full = try #require(keys.first { ($0["key_text"] as? String) == "embedding" })
        #expect(TensorSliceKey.decode(bytesFromHex(try #require(full["key_hex"] as? String))) == nil)
    }

    @Test func partitionedVariablesIndex() throws {
        let bytes = try fileBytes(Fixtures.path("partitioned_variables/variables/variables.index"))
        let index = try BundleIndex.decode(bytes, file: "variables.index")
        let keys = try #require(Fixtures.cases["partitioned_variables"]?["raw_index_keys"] as? [[String: Any]])
        #expect(index.entries.map(\.key) == keys.compactMap { ($0["key_hex"] as? String).map(bytesFromHex) })

        let full = try #require(index.entry(named: "embedding"))
        #expect(full.shape == [1000, 16])
        #expect(full.slices == Self.embeddingSlices)
        let sliceEntries = index.entries.filter(\.isSliceKey)
        #expect(sliceEntries.count == 3)
        for (entry, slice) in zip(sliceEntries, full.slices) {
            let key = try #require(TensorSliceKey.decode(entry.key))
            #expect(key.name == full.key)
            #expect(key.slice == slice)
            #expect(TensorSliceKey(name: full.key, slice: slice).encoded == entry.key)
            #expect(slice.shape(in: full.shape) == entry.shape)
        }
        let reencoded = index.encode() == bytes
        #expect(reencoded)
    }

    // MARK: - Spec §5.4 examples

    @Test func specExamples() throws {
        // `"4 3 0,2:-"` saved rows 0–1 of a [4,3] tensor `m` under 00 6d 00 01 01 02 80 82 80 7f.
        let m: [UInt8] = [0x00, 0x6d, 0x00, 0x01, 0x01, 0x02, 0x80, 0x82, 0x80, 0x7f]
        let mKey = TensorSliceKey(name: Array("m".utf8), slice: TensorSlice(extents: [.init(start: 0, length: 2), .init(start: 0, length: nil)]))
        #expect(mKey.encoded == m)
        #expect(TensorSliceKey.decode(m) == mKey)
        #expect(mKey.slice.shape(in: [4, 3]) == [2, 3])

        // `00 | b/.ATTRIBUTES/VARIABLE_VALUE 00 01 | 01 01 | 80 8b` = slice [0, 11) of a 1-D tensor.
        let name = Array("b/.ATTRIBUTES/VARIABLE_VALUE".utf8)
        let b: [UInt8] = [0x00] + name + [0x00, 0x01, 0x01, 0x01, 0x80, 0x8b]
        let bKey = TensorSliceKey(name: name, slice: TensorSlice(extents: [.init(start: 0, length: 11)]))
        #expect(bKey.encoded == b)
        #expect(TensorSliceKey.decode(b) == bKey)
    }

    @Test func spec54SingleByteValues() {
        // Spec §5.4: 0 → 80, 11 → 8b, 53 → b5, −1 → 7f; WriteNumIncreasing 0 → 00, 1 → 01 01.
        for (value, byte): (Int64, UInt8) in [(0, 0x80), (11, 0x8b), (53, 0xb5), (-1, 0x7f)] {
            var out: [UInt8] = []
            OrderedCode.appendSignedNumIncreasing(value, to: &out)
            #expect(out == [byte])
        }
        var zero: [UInt8] = [], one: [UInt8] = []
        OrderedCode.appendNumIncreasing(0, to: &zero)
        OrderedCode.appendNumIncreasing(1, to: &one)
        #expect(zero == [0x00] && one == [0x01, 0x01])
    }

    @Test func namesWithEscapedBytes() throws {
        // WriteString: 00 → 00 ff, ff → ff 00, then 00 01 (spec §5.4).
        let name: [UInt8] = [0x61, 0x00, 0xff, 0x62]
        let key = TensorSliceKey(name: name, slice: TensorSlice(extents: [.init(start: 1, length: 2)]))
        #expect(key.encoded == [0x00, 0x61, 0x00, 0xff, 0xff, 0x00, 0x62, 0x00, 0x01, 0x01, 0x01, 0x81, 0x82])
        #expect(TensorSliceKey.decode(key.encoded) == key)

        let awkward: [[UInt8]] = [[0x00], [0xff], [0x00, 0x00], [0xff, 0xff], [0x00, 0x01], [0xff, 0x00, 0x01], [0x01, 0x00, 0xff, 0x00], []]
        for name in awkward {
            for slice in [TensorSlice(extents: []), TensorSlice(extents: [.init(start: 5, length: nil), .init(start: 1 << 40, length: 70)])] {
                let key = TensorSliceKey(name: name, slice: slice)
                #expect(TensorSliceKey.decode(key.encoded) == key, "\(name) \(slice)")
            }
        }
        // A slice key still sorts before every ordinary name, whatever its name bytes.
        let low = TensorSliceKey(name: [0xff, 0xff], slice: TensorSlice(extents: [.init(start: 0, length: 1)])).encoded
        #expect(low.lexicographicallyPrecedes([0x01]))
    }

    @Test func malformedKeysAreNotSliceKeys() {
        let good = TensorSliceKey(name: Array("w".utf8), slice: TensorSlice(extents: [.init(start: 0, length: 2)])).encoded
        #expect(TensorSliceKey.decode(good) != nil)
        #expect(TensorSliceKey.decode(Array("embedding".utf8)) == nil)
        #expect(TensorSliceKey.decode([]) == nil)
        #expect(TensorSliceKey.decode(good + [0x80]) == nil)  // trailing bytes
        for length in 0..<good.count {  // every truncation
            #expect(TensorSliceKey.decode(Array(good.prefix(length))) == nil, "prefix \(length)")
        }
        // Name without its 00 01 terminator; an invalid escape 00 02.
        #expect(TensorSliceKey.decode([0x00, 0x77, 0x01, 0x00]) == nil)
        #expect(TensorSliceKey.decode([0x00, 0x77, 0x00, 0x02, 0x00, 0x01, 0x00]) == nil)
    }
}

// MARK: - Helpers

private func bytesFromHex(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        out.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return out
}

import Foundation
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// DT_STRING payloads (spec §4.2). Expected bytes and crcs come from the spec, from TF's own
/// `dtypes_zoo` files, or from `Reference` below: the spec's rule re-implemented here with a
/// bit-at-a-time crc32c, sharing no code with the library.
@Suite struct StringTensorTests {
    /// Spec §4.2 written out independently.
    private enum Reference {
        static func crc(_ crc: UInt32, _ bytes: some Sequence<UInt8>) -> UInt32 {
            var c = ~crc
            for byte in bytes {
                c ^= UInt32(byte)
                for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            }
            return ~c
        }

        static func mask(_ c: UInt32) -> UInt32 { ((c >> 15) | (c << 17)) &+ 0xA282_EAD8 }

        static func littleEndian(_ value: UInt64, width: Int) -> [UInt8] {
            (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
        }

        static func varint(_ value: Int) -> [UInt8] {
            var v = UInt64(value), out: [UInt8] = []
            repeat {
                let low = UInt8(v & 0x7f)
                v >>= 7
                out.append(v == 0 ? low : low | 0x80)
            } while v != 0
            return out
        }

        /// Lengths as 4-byte LE (8-byte past 0xFFFFFFFF), as the crcs take them.
        static func crcLength(_ length: Int) -> [UInt8] {
            littleEndian(UInt64(length), width: UInt64(length) > 0xFFFF_FFFF ? 8 : 4)
        }

        static func encode(_ elements: [[UInt8]]) -> (payload: [UInt8], maskedCRC: UInt32) {
            var payload = elements.flatMap { varint($0.count) }
            var lengthCRC: UInt32 = 0
            for element in elements { lengthCRC = crc(lengthCRC, crcLength(element.count)) }
            let stored = littleEndian(UInt64(mask(lengthCRC)), width: 4)
            payload += stored
            var entryCRC = crc(lengthCRC, stored)
            for element in elements {
                payload += element
                entryCRC = crc(entryCRC, element)
            }
            return (payload, mask(entryCRC))
        }
    }

    /// The library's encode, decode and entry crc all agree with the reference.
    private func checkAgainstReference(_ elements: [[UInt8]], _ label: String) throws {
        let ours = StringTensor.encode(elements)
        let reference = Reference.encode(elements)
        let samePayload = ours.payload == reference.payload
        #expect(samePayload, "\(label): payload")
        #expect(ours.maskedCRC32C == reference.maskedCRC, "\(label): crc")
        let decoded = try StringTensor.decode(reference.payload, count: elements.count, file: "test", entry: label)
        let sameElements = decoded == elements
        #expect(sameElements, "\(label): decode")
        let entryCRC = try StringTensor.entryCRC(reference.payload, count: elements.count, file: "test", entry: label)
        #expect(Reference.mask(entryCRC) == reference.maskedCRC, "\(label): entryCRC")
    }

    // MARK: - Spec examples

    @Test func specExample() throws {
        let elements: [[UInt8]] = [Array("hello".utf8), [], [UInt8](repeating: 0x78, count: 200)]
        let (payload, masked) = StringTensor.encode(elements)
        // Spec §4.2: 05 00 c8 01 | 01 8c aa 2b | hello xxx…, size 213.
        #expect(Array(payload.prefix(8)) == [0x05, 0x00, 0xc8, 0x01, 0x01, 0x8c, 0xaa, 0x2b])
        #expect(Array(payload[8..<13]) == Array("hello".utf8))
        #expect(payload[13...].allSatisfy { $0 == 0x78 })
        #expect(payload.count == 213)
        // The stored length checksum, from the spec's rule: lengths as uint32 LE.
        let lengthCRC = Reference.crc(0, [5, 0, 0, 0] + [0, 0, 0, 0] + [200, 0, 0, 0])
        #expect(Reference.mask(lengthCRC) == 0x2baa_8c01)
        // Entry crc: the same lengths, the 4 stored bytes, then the string bytes.
        var entryCRC = Reference.crc(lengthCRC, [0x01, 0x8c, 0xaa, 0x2b])
        entryCRC = Reference.crc(entryCRC, Array("hello".utf8) + [UInt8](repeating: 0x78, count: 200))
        #expect(masked == Reference.mask(entryCRC))
        // Not the crc of the payload itself.
        #expect(masked != Reference.mask(Reference.crc(0, payload)))
        try checkAgainstReference(elements, "spec example")
    }

    @Test func zeroElements() throws {
        let (payload, masked) = StringTensor.encode([])
        // Spec §4.2: four bytes d8 ea 82 a2 (= mask(0)), size 4.
        #expect(payload == [0xd8, 0xea, 0x82, 0xa2])
        #expect(masked == Reference.mask(Reference.crc(0, [0xd8, 0xea, 0x82, 0xa2])))
        #expect(try StringTensor.decode(payload, count: 0, file: "test", entry: "empty").isEmpty)
        try checkAgainstReference([], "zero elements")
    }

    @Test(arguments: [0, 1, 127, 128, 208, 16383, 16384, 20480])
    func varintLengthBoundaries(length: Int) throws {
        var rng = SeededGenerator(seed: UInt64(length) + 1)
        let element = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let payload = StringTensor.encode([element]).payload
        // 127 is the last one-byte varint, 16383 the last two-byte one.
        let varintBytes = length < 128 ? 1 : length < 16384 ? 2 : 3
        #expect(payload.count == varintBytes + 4 + length)
        try checkAgainstReference([element], "length \(length)")
        try checkAgainstReference([element, [], element], "length \(length) x2")
    }

    @Test func awkwardContents() throws {
        try checkAgainstReference([[], [], []], "empty strings")
        try checkAgainstReference([[0x00], [0x00, 0x00, 0x61, 0x00]], "NUL bytes")
        try checkAgainstReference([[0xff, 0xfe, 0xc0, 0x80], [0xed, 0xa0, 0x80], [0x80]], "invalid UTF-8")
        try checkAgainstReference([Array("naïve 名前 🙂".utf8)], "UTF-8")
    }

    @Test func randomTensors() throws {
        var rng = SeededGenerator(seed: 0x5742_494e_47)
        for round in 0..<50 {
            let count = Int.random(in: 0...24, using: &rng)
            let elements = (0..<count).map { _ -> [UInt8] in
                let length = Bool.random(using: &rng) ? Int.random(in: 0...20, using: &rng) : Int.random(in: 0...3000, using: &rng)
                return (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
            try checkAgainstReference(elements, "random tensor \(round)")
        }
    }

    // MARK: - Damaged payloads

    @Test func damagedPayloadsAreRejected() throws {
        let elements: [[UInt8]] = [Array("abc".utf8), Array("defgh".utf8)]
        let good = StringTensor.encode(elements).payload  // 03 05 | crc(4) | abcdefgh
        func decode(_ payload: [UInt8], count: Int = 2) throws(FormatError) -> [[UInt8]] {
            try StringTensor.decode(payload, count: count, file: "test", entry: "s")
        }
        #expect(try decode(good) == elements)

        for position in 2..<6 {  // the stored length checksum
            var damaged = good
            damaged[position] ^= 0x01
            do {
                _ = try decode(damaged)
                Issue.record("flipped length crc byte \(position) accepted")
            } catch {
                guard case .checksumMismatch = error else { Issue.record("byte \(position): \(error)"); continue }
            }
        }
        // A length claiming more than the payload holds.
        var tooLong = good
        tooLong[1] = 0x7f
        #expect(throws: FormatError.self) { try decode(tooLong) }
        // Lengths and crc intact, but bytes missing at the end.
        #expect(throws: FormatError.self) { try decode(Array(good.dropLast(2))) }
        // Bytes left over after the last string.
        #expect(throws: FormatError.self) { try decode(good + [0x00]) }
        // More elements than the payload has lengths for, or fewer.
        #expect(throws: FormatError.self) { try decode(good, count: 3) }
        #expect(throws: FormatError.self) { try decode(good, count: 1) }
        // Truncated inside the varints or the checksum; an overlong varint.
        #expect(throws: FormatError.self) { try decode([0x83]) }
        #expect(throws: FormatError.self) { try decode(Array(good.prefix(4))) }
        #expect(throws: FormatError.self) { try decode([UInt8](repeating: 0xff, count: 11) + [0x01, 0, 0, 0, 0], count: 1) }
        #expect(throws: FormatError.self) { try decode([], count: 1) }
        // entryCRC goes through the same checks.
        #expect(throws: FormatError.self) { try StringTensor.entryCRC(good + [0x00], count: 2, file: "test", entry: "s") }
    }

    // MARK: - TF's files

    @Test func dtypesZooStringEntries() throws {
        let reader = try BundleReader(prefix: Fixtures.path("dtypes_zoo") + "/variables/variables")
        let strings = reader.index.entries.filter { $0.dtype == .string }
        let names = Set(strings.compactMap(\.name))
        #expect(names.isSuperset(of: ["_CHECKPOINTABLE_OBJECT_GRAPH", "str_empty/.ATTRIBUTES/VARIABLE_VALUE",
                                      "str_huge/.ATTRIBUTES/VARIABLE_VALUE", "str_matrix/.ATTRIBUTES/VARIABLE_VALUE",
                                      "str_scalar/.ATTRIBUTES/VARIABLE_VALUE", "str_vector/.ATTRIBUTES/VARIABLE_VALUE"]))
        let variables = Fixtures.cases["dtypes_zoo"]?["variables"] as? [[String: Any]] ?? []
        let manifestDigests = Dictionary(variables.compactMap { v in (v["key"] as? String).map { ($0, v["sha256"] as? String) } },
                                         uniquingKeysWith: { a, _ in a })
        var lengths = Set<Int>()
        for entry in strings {
            let label = entry.displayName
            let payload = try reader.read(entry)  // checks TF's crc with the library's rule
            #expect(Int64(payload.count) == entry.size, "\(label)")
            let count = Int(try #require(entry.elementCount))
            let elements = try StringTensor.decode(payload, count: count, file: "dtypes_zoo", entry: label)
            lengths.formUnion(elements.map(\.count))

            let (ours, crc) = StringTensor.encode(elements)
            let samePayload = ours == payload
            #expect(samePayload, "\(label): re-encoded payload differs from TF's")
            #expect(crc == entry.maskedCRC32C, "\(label): masked crc")
            // The independent rule reproduces TF's bytes and crc as well.
            let reference = Reference.encode(elements)
            let referenceMatches = reference.payload == payload && reference.maskedCRC == entry.maskedCRC32C
            #expect(referenceMatches, "\(label): reference")
            if let name = entry.name, let expected = manifestDigests[name] {
                #expect(try manifestDigest(entry, value: payload) == expected, "\(label): sha256")
            }
            if count == 0 { #expect(payload == [0xd8, 0xea, 0x82, 0xa2]) }
        }
        // Fixture README: strings needing 1-, 2- and 3-byte varint lengths.
        #expect(lengths.isSuperset(of: [0, 127, 128, 208, 20480]))
    }
}

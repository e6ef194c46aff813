import Foundation
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// CRC-32C as the index and data files use it (spec §3.1). Every expected value is either a
/// published check value (the spec's, RFC 3720 / LevelDB's `crc32c_test.cc`, a crc TF wrote
/// into a fixture) or comes from the bit-at-a-time crc below, written from the polynomial
/// alone; the library's hardware and table paths are both held to it.
@Suite struct CRC32CTests {
    // MARK: - Independent reference

    /// Bit-at-a-time CRC-32C: reflected polynomial 0x82F63B78, init and final xor all ones,
    /// continued from `crc` like LevelDB's Extend.
    private static func bitwise(_ crc: UInt32, _ bytes: some Sequence<UInt8>) -> UInt32 {
        var c = ~crc
        for byte in bytes {
            c ^= UInt32(byte)
            for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        }
        return ~c
    }

    private static func randomBytes(_ count: Int, _ rng: inout SeededGenerator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }

    private static func hardware(_ crc: UInt32, _ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBytes { CRC32C.extend(crc, $0) }
    }

    private static func portable(_ crc: UInt32, _ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBytes { CRC32C.extendPortable(crc, $0) }
    }

    // MARK: - Published values

    @Test func checkValue() {
        // Spec §3.1: crc32c("123456789") = 0xE3069283.
        let digits = Array("123456789".utf8)
        #expect(CRC32C.checksum(digits) == 0xE306_9283)
        #expect(Self.bitwise(0, digits) == 0xE306_9283)
        #expect(Self.portable(0, digits[...]) == 0xE306_9283)
    }

    @Test func standardVectors() {
        // RFC 3720 appendix B.4, as LevelDB's crc32c_test.cc `StandardResults` uses them.
        let zeros = [UInt8](repeating: 0, count: 32)
        let ones = [UInt8](repeating: 0xff, count: 32)
        let ascending = (0..<32).map { UInt8($0) }
        let descending = (0..<32).reversed().map { UInt8($0) }
        let vectors: [([UInt8], UInt32)] = [
            (zeros, 0x8A91_36AA), (ones, 0x62A8_AB43), (ascending, 0x46DD_794E), (descending, 0x113F_DB5C),
        ]
        for (bytes, expected) in vectors {
            #expect(CRC32C.checksum(bytes) == expected)
            #expect(Self.portable(0, bytes[...]) == expected)
            #expect(Self.hardware(0, bytes[...]) == expected)
            #expect(Self.bitwise(0, bytes) == expected)
        }
    }

    @Test func emptyInputKeepsTheRunningValue() {
        #expect(CRC32C.checksum([UInt8]()) == 0)
        #expect(CRC32C.extend(0x1234_5678, [UInt8]()) == 0x1234_5678)
        #expect(Self.portable(0xdead_beef, [UInt8]()[...]) == 0xdead_beef)
    }

    @Test func leveldbExtendExample() {
        // LevelDB crc32c_test.cc `Extend`: Value("hello world") == Extend(Value("hello "), "world").
        let whole = CRC32C.checksum(Array("hello world".utf8))
        #expect(whole == CRC32C.extend(CRC32C.checksum(Array("hello ".utf8)), Array("world".utf8)))
        #expect(whole == Self.bitwise(0, Array("hello world".utf8)))
        #expect(CRC32C.checksum(Array("a".utf8)) != CRC32C.checksum(Array("foo".utf8)))
    }

    // MARK: - Mask

    @Test func maskFollowsTheSpecFormula() {
        #expect(CRC32C.mask(0) == 0xA282_EAD8)
        #expect(CRC32C.unmask(0xA282_EAD8) == 0)
        var rng = SeededGenerator(seed: 0x6d61_736b)
        var allMatch = true
        var allInvert = true
        var allMove = true
        for _ in 0..<100_000 {
            let x = UInt32.random(in: 0...UInt32.max, using: &rng)
            // Spec §3.1: rotate right by 15, then add 0xA282EAD8 mod 2^32.
            let rotated = (x >> 15) | (x << 17)
            if CRC32C.mask(x) != rotated &+ 0xA282_EAD8 { allMatch = false }
            if CRC32C.unmask(CRC32C.mask(x)) != x { allInvert = false }
            // LevelDB crc32c_test.cc `Mask`: masking changes the value, twice as well.
            if CRC32C.mask(x) == x || CRC32C.mask(CRC32C.mask(x)) == x
                || CRC32C.unmask(CRC32C.unmask(CRC32C.mask(CRC32C.mask(x)))) != x { allMove = false }
        }
        #expect(allMatch)
        #expect(allInvert)
        #expect(allMove)
    }

    @Test func zzFloat32FixtureCRC() {
        // Spec §3.6: `zz_float32` = [[1.5, -2.0, 3.25]] float32 has crc32c field bytes 22 93 1b 90.
        var payload: [UInt8] = []
        for value: Float in [1.5, -2.0, 3.25] { ByteWriter.appendUInt32LE(value.bitPattern, to: &payload) }
        #expect(payload == [0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x50, 0x40])
        var stored: [UInt8] = []
        ByteWriter.appendUInt32LE(CRC32C.mask(CRC32C.checksum(payload)), to: &stored)
        #expect(stored == [0x22, 0x93, 0x1b, 0x90])
        #expect(CRC32C.mask(Self.bitwise(0, payload)) == 0x901b_9322)
    }

    @Test func metaindexTrailer() {
        // Spec §3.2: the empty metaindex block 00 00 00 00 01 00 00 00 has trailer 00 c0 f2 a1 b0.
        let block: [UInt8] = [0, 0, 0, 0, 1, 0, 0, 0, 0]  // contents + type byte
        #expect(CRC32C.mask(CRC32C.checksum(block)) == 0xb0a1_f2c0)
        #expect(CRC32C.mask(Self.bitwise(0, block)) == 0xb0a1_f2c0)
    }

    // MARK: - Hardware path

    @Test func usesHardwareMatchesCPUFlags() throws {
        #if os(Linux) && arch(x86_64)
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        let hasSSE42 = flags.split(whereSeparator: { $0 == " " || $0 == "\t" }).contains("sse4_2")
        #expect(CRC32C.usesHardware == hasSSE42)
        #elseif os(Linux)
        #expect(CRC32C.usesHardware == false)  // the C code only knows the x86 instruction
        #endif
    }

    /// Every length 0…10,000 at every start offset 0–15 of a larger buffer: the hardware
    /// path's alignment prologue, 8-byte loop, tail, and the 3 KiB three-stream loop.
    @Test func hardwareEqualsPortableForEveryLength() {
        var rng = SeededGenerator(seed: 0x0063_7263_3332)
        let buffer = Self.randomBytes(10_000 + 16, &rng)
        var mismatches: [String] = []
        for offset in 0..<16 {
            var reference: UInt32 = 0  // bitwise crc of buffer[offset..<offset+length], extended byte by byte
            for length in 0...10_000 {
                if length > 0 { reference = Self.bitwise(reference, CollectionOfOne(buffer[offset + length - 1])) }
                let slice = buffer[offset..<(offset + length)]
                let hw = Self.hardware(0, slice)
                let sw = Self.portable(0, slice)
                if hw != reference || sw != reference {
                    mismatches.append("offset \(offset) length \(length): hardware \(hw) portable \(sw) reference \(reference)")
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test func hardwareEqualsPortableAroundTheStreamBoundaries() {
        var rng = SeededGenerator(seed: 0x3_1024)
        let buffer = Self.randomBytes(3 * 1024 * 8 + 9 + 16, &rng)
        var mismatches: [String] = []
        for k in 1...8 {
            for length in [3 * 1024 * k - 9, 3 * 1024 * k, 3 * 1024 * k + 9] {
                for offset in 0..<16 {
                    let slice = buffer[offset..<(offset + length)]
                    let reference = Self.bitwise(0, slice)
                    let hw = Self.hardware(0, slice), sw = Self.portable(0, slice)
                    if hw != reference || sw != reference {
                        mismatches.append("k \(k) length \(length) offset \(offset)")
                    }
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test func nonZeroStartingCRCs() {
        var rng = SeededGenerator(seed: 0x5eed)
        var mismatches = 0
        for _ in 0..<300 {
            let length = Int.random(in: 0...20_000, using: &rng)
            let bytes = Self.randomBytes(length, &rng)
            let start = UInt32.random(in: 0...UInt32.max, using: &rng)
            let reference = Self.bitwise(start, bytes)
            if Self.hardware(start, bytes[...]) != reference { mismatches += 1 }
            if Self.portable(start, bytes[...]) != reference { mismatches += 1 }
            if CRC32C.extend(start, bytes) != reference { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test func chainingEqualsOneRun() {
        var rng = SeededGenerator(seed: 0xc4a1)
        let bytes = Self.randomBytes(40_000, &rng)
        let whole = Self.bitwise(0, bytes)
        #expect(CRC32C.checksum(bytes) == whole)
        var mismatches = 0
        for _ in 0..<200 {
            // Split into up to 6 random pieces and continue the crc across them.
            var cuts = (0..<Int.random(in: 1...5, using: &rng)).map { _ in Int.random(in: 0...bytes.count, using: &rng) }
            cuts = ([0] + cuts + [bytes.count]).sorted()
            var hw: UInt32 = 0, sw: UInt32 = 0
            for (from, to) in zip(cuts, cuts.dropFirst()) {
                hw = Self.hardware(hw, bytes[from..<to])
                sw = Self.portable(sw, bytes[from..<to])
            }
            if hw != whole || sw != whole { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    /// Pieces checksummed apart (as the push and pull workers do, a chunk each) combine into
    /// the checksum of the whole, for empty, short and chunk-sized pieces.
    @Test func piecesCombineIntoTheWhole() {
        var rng = SeededGenerator(seed: 0xc0b1)
        let bytes = Self.randomBytes(3 << 20, &rng)
        let whole = Self.bitwise(0, bytes)
        let chunk = CRC32C.Combiner(length: 1 << 20)
        var byChunks: UInt32 = 0
        for start in stride(from: 0, to: bytes.count, by: 1 << 20) {
            byChunks = chunk.combine(byChunks, CRC32C.checksum(bytes[start..<(start + (1 << 20))]), secondLength: 1 << 20)
        }
        #expect(byChunks == whole)
        for _ in 0..<100 {
            let cut = [0, 1, 7, bytes.count - 1, bytes.count, Int.random(in: 0...bytes.count, using: &rng)].randomElement(using: &rng)!
            let combined = CRC32C.combine(CRC32C.checksum(bytes[..<cut]), CRC32C.checksum(bytes[cut...]), secondLength: bytes.count - cut)
            #expect(combined == whole, "cut at \(cut)")
        }
    }

    @Test func sequenceOverloadsAgree() {
        // Non-contiguous sequences go through a copy; the result must not change.
        let bytes = Array("The quick brown fox jumps over the lazy dog".utf8)
        let reference = Self.bitwise(0, bytes)
        #expect(CRC32C.checksum(bytes) == reference)
        #expect(CRC32C.checksum(bytes.lazy.map { $0 }) == reference)
        #expect(CRC32C.checksum(bytes[3...]) == Self.bitwise(0, bytes[3...]))
        // Widely published crc32c of this sentence.
        #expect(reference == 0x2262_0404)
    }
}

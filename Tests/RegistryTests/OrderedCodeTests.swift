import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// OrderedCode, the encoding slice keys are built from, against TensorFlow's own
/// `tensorflow/core/lib/strings/ordered_code_test.cc`: its tables (copied verbatim into
/// `Support/OrderedCodeTables.swift`) and its round-trip and ordering tests.
@Suite struct OrderedCodeTests {
    @Test func tablesWereCopiedWhole() {
        // The C++ `string(literal, n)` lengths catch a mistyped escape.
        let badSigned = Self.signedTable.filter { cBytes($0.1).count != $0.2 }.map(\.0)
        let badUnsigned = Self.unsignedTable.filter { cBytes($0.1).count != $0.2 }.map(\.0)
        #expect(badSigned.isEmpty, "\(badSigned)")
        #expect(badUnsigned.isEmpty, "\(badUnsigned)")
        #expect(Self.signedTable.count == 382 && Self.unsignedTable.count == 192)  // entries in the C++ tables
    }

    @Test func signedNumbersMatchTensorFlow() {
        var failures: [String] = []
        for (value, literal, _) in Self.signedTable {
            let expected = cBytes(literal)
            var encoded: [UInt8] = []
            OrderedCode.appendSignedNumIncreasing(value, to: &encoded)
            if encoded != expected { failures.append("write \(value): \(encoded) != \(expected)") }
            var reader = OrderedCode.Reader(bytes: expected)
            let decoded = reader.readSignedNumIncreasing()
            if decoded != value || !reader.isAtEnd { failures.append("read \(value): \(String(describing: decoded))") }
            // TestRead: every proper prefix is rejected and consumes nothing.
            for length in 0..<expected.count {
                var prefix = OrderedCode.Reader(bytes: Array(expected.prefix(length)))
                if prefix.readSignedNumIncreasing() != nil || prefix.position != 0 {
                    failures.append("prefix \(length) of \(value) accepted")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
    }

    @Test func int64Extremes() {
        // Not in TF's table: Int64.min, by the same pattern as −(2^63 − 1) (00 3f 80 … 01), and as
        // the C++-generated expectations in Firestore's OrderedCodeTest.java give it.
        var encoded: [UInt8] = []
        OrderedCode.appendSignedNumIncreasing(.min, to: &encoded)
        #expect(encoded == [0x00, 0x3f, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00])
        var reader = OrderedCode.Reader(bytes: encoded)
        #expect(reader.readSignedNumIncreasing() == .min && reader.isAtEnd)
    }

    @Test func unsignedNumbersMatchTensorFlow() {
        var failures: [String] = []
        for (value, literal, _) in Self.unsignedTable {
            let expected = cBytes(literal)
            var encoded: [UInt8] = []
            OrderedCode.appendNumIncreasing(value, to: &encoded)
            if encoded != expected { failures.append("write \(value): \(encoded) != \(expected)") }
            var reader = OrderedCode.Reader(bytes: expected)
            if reader.readNumIncreasing() != value || !reader.isAtEnd { failures.append("read \(value)") }
            for length in 0..<expected.count {
                var prefix = OrderedCode.Reader(bytes: Array(expected.prefix(length)))
                if prefix.readNumIncreasing() != nil || prefix.position != 0 { failures.append("prefix \(length) of \(value) accepted") }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
    }

    @Test func stringsMatchTensorFlow() {
        for (value, expected) in Self.stringTable {
            var encoded: [UInt8] = []
            OrderedCode.appendString(value, to: &encoded)
            #expect(encoded == expected)
            var reader = OrderedCode.Reader(bytes: expected)
            #expect(reader.readString() == value && reader.isAtEnd)
            for length in 0..<expected.count {
                var prefix = OrderedCode.Reader(bytes: Array(expected.prefix(length)))
                #expect(prefix.readString() == nil, "prefix \(length) of \(value)")
            }
        }
        // String.Increasing: encodings keep the order of the strings.
        let increasing: [[UInt8]] = [[], [0x00], [0x01], Array("a".utf8), Array("aa".utf8), [0xff], [0xff, 0x00], [0xff, 0x01]]
        let encodings = increasing.map { s -> [UInt8] in var out: [UInt8] = []; OrderedCode.appendString(s, to: &out); return out }
        for (a, b) in zip(encodings, encodings.dropFirst()) { #expect(a.lexicographicallyPrecedes(b)) }
    }

    @Test func randomStringsConcatenate() {
        // String.EncodeDecode: two encodings back to back read back as the two strings.
        var rng = SeededGenerator(seed: 301)
        var failures = 0
        for length in 0..<256 {
            let a = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let b = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var out: [UInt8] = []
            OrderedCode.appendString(a, to: &out)
            OrderedCode.appendString(b, to: &out)
            var reader = OrderedCode.Reader(bytes: out)
            if reader.readString() != a || reader.readString() != b || !reader.isAtEnd || reader.readString() != nil { failures += 1 }
        }
        #expect(failures == 0)
    }

    @Test func overflowingEncodingsAreRejected() {
        // OrderedCodeInvalidEncodingsTest.Overflow: 2^64 unsigned, 2^63 and its complement signed.
        let k2xx64U: [UInt8] = [0x09, 0x01] + [UInt8](repeating: 0, count: 8)
        var unsigned = OrderedCode.Reader(bytes: k2xx64U)
        #expect(unsigned.readNumIncreasing() == nil && unsigned.position == 0)
        let k2xx63: [UInt8] = [0xff, 0xc0, 0x80] + [UInt8](repeating: 0, count: 7)
        let overlong: [[UInt8]] = [
            k2xx63, k2xx63.map { ~$0 },
            [0xff, 0xc0, 0xff] + [UInt8](repeating: 0xff, count: 7),  // 2^64 − 1
            [0xff, 0xc1] + [UInt8](repeating: 0, count: 8),             // a 10-byte header with a payload bit set
            ([0xff, 0xc1] + [UInt8](repeating: 0, count: 8)).map { ~$0 },
            [0xff, 0xe0] + [UInt8](repeating: 0, count: 9),             // an 11-byte header
            [0xff, 0xff] + [UInt8](repeating: 0, count: 14),
            [0x00, 0x00] + [UInt8](repeating: 0xff, count: 14),
        ]
        for bytes in overlong {
            var reader = OrderedCode.Reader(bytes: bytes)
            #expect(reader.readSignedNumIncreasing() == nil, "\(bytes)")
            #expect(reader.position == 0)
        }
    }

    @Test func randomSignedRoundTripsAndOrder() {
        var rng = SeededGenerator(seed: 17)
        var values: [Int64] = [.min, .max, 0, -1, 1, 63, 64, -64, -65]
        for _ in 0..<10_000 {
            let bits = Int.random(in: 0...64, using: &rng)
            let magnitude = bits == 0 ? 0 : UInt64.random(in: 0...UInt64.max, using: &rng) >> UInt64(64 - bits)
            values.append(Int64(bitPattern: magnitude))  // covers both signs at every length
        }
        var failures: [String] = []
        var encodings: [(Int64, [UInt8])] = []
        for value in values {
            var encoded: [UInt8] = []
            OrderedCode.appendSignedNumIncreasing(value, to: &encoded)
            var reader = OrderedCode.Reader(bytes: encoded + [0x42])
            if reader.readSignedNumIncreasing() != value || reader.position != encoded.count { failures.append("\(value)") }
            encodings.append((value, encoded))
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
        // memcmp order of the encodings is numeric order.
        encodings.sort { $0.0 < $1.0 }
        var outOfOrder = 0
        for (a, b) in zip(encodings, encodings.dropFirst()) where a.0 != b.0 {
            if !a.1.lexicographicallyPrecedes(b.1) { outOfOrder += 1 }
        }
        #expect(outOfOrder == 0)
        // TestNumberOrdering: powers of two and their neighbours.
        var powers: [Int64] = [.min, .max]
        var p: Int64 = 1
        for _ in 0..<63 {
            powers += [p - 1, p, p + 1, -p - 1, -p, -p + 1]
            p = p &* 2
        }
        let sorted = Array(Set(powers)).sorted()
        let encoded = sorted.map { v -> [UInt8] in var out: [UInt8] = []; OrderedCode.appendSignedNumIncreasing(v, to: &out); return out }
        let ordered = zip(encoded, encoded.dropFirst()).allSatisfy { $0.lexicographicallyPrecedes($1) }
        #expect(ordered)
    }

    @Test func unsignedPowersOfTwoRoundTripInOrder() {
        // TestNumbers<uint64> / TestNumberOrdering<uint64>.
        var values: [UInt64] = [0, .max]
        var x = UInt64.max
        while x != 0 { values += [x - 1, x, x &+ 1]; x /= 2 }
        let sorted = Array(Set(values)).sorted()
        var previous: [UInt8]?
        var failures = 0
        for value in sorted {
            var encoded: [UInt8] = []
            OrderedCode.appendNumIncreasing(value, to: &encoded)
            var reader = OrderedCode.Reader(bytes: encoded)
            if reader.readNumIncreasing() != value || !reader.isAtEnd { failures += 1 }
            if let previous, !previous.lexicographicallyPrecedes(encoded) { failures += 1 }
            previous = encoded
        }
        #expect(failures == 0)
    }
}

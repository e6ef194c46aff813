import Foundation
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// The `.index` table (spec §3): the spec's worked 146-byte example typed in from its hex,
/// LevelDB's separator rules, TF's multi-block fixture, and the overly-large-entry rule.
/// Block structure is checked with `RawTable` (`Support/RawTable.swift`), a parser written from the spec alone.
@Suite struct IndexTableTests {
    // MARK: - (a) Spec §3.7: the complete 146-byte index of `tf1_sm_ref_plain`

    /// Typed in from spec §3.7, row by row.
    static let specIndex: [UInt8] =
        [0x00, 0x00, 0x06, 0x08, 0x01, 0x1a, 0x02, 0x08, 0x01]                                     // 000 header
        + [0x00, 0x01, 0x13, 0x57, 0x08, 0x01, 0x12, 0x08, 0x12, 0x02, 0x08, 0x04, 0x12, 0x02, 0x08, 0x03,
           0x28, 0x30, 0x35, 0x25, 0xc7, 0x54, 0x71]                                                 // 009 "W"
        + [0x00, 0x01, 0x11, 0x62, 0x08, 0x01, 0x12, 0x04, 0x12, 0x02, 0x08, 0x03, 0x20, 0x30, 0x28, 0x0c,
           0x35, 0x99, 0x6a, 0x63, 0xe4]                                                             // 020 "b"
        + [0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00]                                          // 035 restarts
        + [0x00, 0x98, 0x40, 0x18, 0xfe]                                                             // 03d trailer
        + [0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xf2, 0xa1, 0xb0]             // 042 metaindex
        + [0x00, 0x01, 0x02, 0x63, 0x00, 0x3d, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00]       // 04f index block
        + [0x00, 0xeb, 0xb6, 0x69, 0x5a]                                                             // 05d trailer
        + [0x42, 0x08, 0x4f, 0x0e] + [UInt8](repeating: 0, count: 36)
        + [0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb]                                          // 062 footer

    static let specEntries = [
        BundleEntry(key: Array("W".utf8), dtype: .float32, shape: [4, 3], offset: 0, size: 48,
                    maskedCRC32C: UInt32(0x25) | UInt32(0xc7) << 8 | UInt32(0x54) << 16 | UInt32(0x71) << 24),
        BundleEntry(key: Array("b".utf8), dtype: .float32, shape: [3], offset: 48, size: 12,
                    maskedCRC32C: UInt32(0x99) | UInt32(0x6a) << 8 | UInt32(0x63) << 16 | UInt32(0xe4) << 24),
    ]

    @Test func specExampleIs146Bytes() {
        #expect(Self.specIndex.count == 146)
        #expect(Self.specIndex[0x35] == 0x00 && Self.specIndex[0x3d] == 0x00 && Self.specIndex[0x62] == 0x42)
    }

    @Test func specExampleEncodesByteForByte() {
        let encoded = BundleIndex(header: BundleHeader(), entries: Self.specEntries).encode()
        let same = encoded == Self.specIndex
        #expect(same, "encoded \(encoded.count) bytes: \(hex(encoded))")
    }

    @Test func specExampleDecodes() throws {
        let index = try BundleIndex.decode(Self.specIndex, file: "spec-3.7.index")
        #expect(index.header == BundleHeader())
        #expect(index.header.numShards == 1 && index.header.producer == 1 && index.header.minConsumer == 0)
        #expect(index.entries == Self.specEntries)
        let table = try TableReader(bytes: Self.specIndex, file: "spec-3.7.index")
        #expect(table.dataBlocks == [BlockHandle(offset: 0, size: 61)])
        #expect(table.entries.map(\.key) == [[], Array("W".utf8), Array("b".utf8)])
        #expect(table.entries[0].value == [0x08, 0x01, 0x1a, 0x02, 0x08, 0x01])

        let raw = try RawTable(Self.specIndex)
        #expect(raw.metaindex.offset == 66 && raw.metaindex.size == 8)
        #expect(raw.indexBlock.offset == 79 && raw.indexBlock.size == 14)
        #expect(raw.indexBlock.entries.map(\.key) == [Array("c".utf8)])
    }

    @Test func specExampleRejectsFlippedBytes() {
        // Every block and trailer byte (0..<98) is covered by a block crc; any flip within a
        // byte is a burst shorter than 32 bits, which crc32c always detects.
        var accepted: [String] = []
        for position in 0..<98 {
            for flip: UInt8 in [0x01, 0x80, 0xff] {
                var damaged = Self.specIndex
                damaged[position] ^= flip
                do {
                    _ = try BundleIndex.decode(damaged, file: "damaged.index")
                    accepted.append("byte \(position) ^ \(flip)")
                } catch {
                    // A FormatError, by the type of `decode`.
                }
            }
        }
        #expect(accepted.isEmpty, "\(accepted)")
    }

    @Test func specExampleRejectsBrokenMagic() {
        for position in (Self.specIndex.count - 8)..<Self.specIndex.count {
            var damaged = Self.specIndex
            damaged[position] ^= 0x10
            #expect(throws: FormatError.self) { try BundleIndex.decode(damaged, file: "magic.index") }
            do {
                _ = try TableReader(bytes: damaged, file: "magic.index")
                Issue.record("broken magic accepted")
            } catch {
                guard case .corrupt = error else { Issue.record("unexpected \(error)"); continue }
            }
        }
    }

    // MARK: - (b) LevelDB's FindShortestSeparator / FindShortSuccessor

    @Test func separatorAndSuccessorExamples() {
        let s = { (text: String) in Array(text.utf8) }
        // Spec §3.4: last key `zz_float32` → index key `{`; `b` → `c` (§3.7).
        #expect(TableBuilder.shortSuccessor(s("zz_float32")) == s("{"))
        #expect(TableBuilder.shortSuccessor(s("b")) == s("c"))
        #expect(TableBuilder.shortestSeparator(s("abc1"), s("abc5")) == s("abc2"))
        // Next byte up is the limit's own byte: unchanged.
        #expect(TableBuilder.shortestSeparator(s("abc"), s("abd")) == s("abc"))
        #expect(TableBuilder.shortestSeparator(s("abc1xyz"), s("abc2")) == s("abc1xyz"))
        // One is a prefix of the other: unchanged.
        #expect(TableBuilder.shortestSeparator(s("abc"), s("abcdef")) == s("abc"))
        #expect(TableBuilder.shortestSeparator(s(""), s("a")) == s(""))
        #expect(TableBuilder.shortestSeparator(s("abc"), s("abc")) == s("abc"))
        // Truncates right after the incremented byte.
        #expect(TableBuilder.shortestSeparator(s("foo/bar/baz"), s("foo/zzz")) == s("foo/c"))
        // 0xff bytes.
        #expect(TableBuilder.shortestSeparator([0xff, 0x01, 0x07], [0xff, 0x05]) == [0xff, 0x02])
        #expect(TableBuilder.shortestSeparator([0xfe, 0xff], [0xff, 0x00]) == [0xfe, 0xff])
        #expect(TableBuilder.shortestSeparator([0x01, 0xff, 0xff], [0x03]) == [0x02])
        #expect(TableBuilder.shortSuccessor([0xff, 0xff]) == [0xff, 0xff])
        #expect(TableBuilder.shortSuccessor([0xff, 0x41, 0x42]) == [0xff, 0x42])
        #expect(TableBuilder.shortSuccessor([0xfe, 0x00]) == [0xff])
        #expect(TableBuilder.shortSuccessor([]) == [])
    }

    @Test func separatorAndSuccessorContracts() {
        var rng = SeededGenerator(seed: 0x5e9a)
        let alphabet: [UInt8] = [0x00, 0x01, 0x2f, 0x30, 0x61, 0x62, 0x63, 0xfe, 0xff]
        func randomKey() -> [UInt8] {
            (0..<Int.random(in: 0...6, using: &rng)).map { _ in
                Bool.random(using: &rng) ? alphabet.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
        }
        var failures: [String] = []
        var cases = 0
        while cases < 20_000 {
            var start = randomKey(), limit = randomKey()
            if Bool.random(using: &rng) { limit = start + limit }  // often share a prefix
            if start == limit { continue }
            if limit.lexicographicallyPrecedes(start) { swap(&start, &limit) }
            cases += 1
            let separator = TableBuilder.shortestSeparator(start, limit)
            // start <= separator < limit, and never longer than start.
            if separator.lexicographicallyPrecedes(start) || !separator.lexicographicallyPrecedes(limit)
                || separator.count > start.count {
                failures.append("separator(\(start), \(limit)) = \(separator)")
            }
            let successor = TableBuilder.shortSuccessor(start)
            if successor.lexicographicallyPrecedes(start) || successor.count > start.count {
                failures.append("successor(\(start)) = \(successor)")
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
    }

    // MARK: - (c) TF's multi-block index

    @Test func multiblockFixture() throws {
        let bytes = try fileBytes(Fixtures.path("many_tensors_multiblock/variables/variables.index"))
        let layout = try #require(Fixtures.cases["many_tensors_multiblock"]?["index_layout"] as? [String: Any])
        let blocks = try #require(layout["data_blocks"] as? [[String: Any]])
        #expect(bytes.count == layout["index_file_size"] as? Int)

        let table = try TableReader(bytes: bytes, file: "variables.index")
        // Fixture README: three data blocks of 262464, 262475 and 5307 bytes.
        #expect(table.dataBlocks.map(\.size) == [262_464, 262_475, 5307])
        #expect(table.dataBlocks.map { Int($0.offset) } == blocks.compactMap { $0["offset"] as? Int })
        #expect(table.dataBlocks.map { Int($0.size) } == blocks.compactMap { $0["size"] as? Int })
        #expect(table.entries.count == 1401)
        #expect(table.entries.count == layout["num_records"] as? Int)
        #expect(table.entries.first?.key == [])

        let variables = try #require(Fixtures.cases["many_tensors_multiblock"]?["variables"] as? [[String: Any]])
        let manifestKeys = variables.compactMap { ($0["key"] as? String).map { Array($0.utf8) } }
        #expect(manifestKeys.count == 1400)
        // The manifest lists them in bytewise order, as the index holds them.
        let sameKeys = table.entries.dropFirst().map(\.key) == manifestKeys
        #expect(sameKeys)

        // Block structure against the manifest, with the parser written here.
        let raw = try RawTable(bytes)
        #expect(raw.dataBlocks.map(\.entries.count) == blocks.compactMap { $0["num_entries"] as? Int })
        #expect(raw.dataBlocks.map(\.restarts.count) == blocks.compactMap { $0["num_restarts"] as? Int })
        let indexInfo = try #require(layout["index_block"] as? [String: Any])
        let metaInfo = try #require(layout["metaindex_block"] as? [String: Any])
        #expect(raw.indexBlock.offset == indexInfo["offset"] as? Int && raw.indexBlock.size == indexInfo["size"] as? Int)
        #expect(raw.indexBlock.entries.count == indexInfo["num_entries"] as? Int)
        #expect(raw.metaindex.offset == metaInfo["offset"] as? Int && raw.metaindex.size == metaInfo["size"] as? Int)
        #expect(raw.problems.isEmpty)

        let index = try BundleIndex.decode(bytes, file: "variables.index")
        #expect(index.entries.count == 1400)
        let reencoded = index.encode()
        let identical = reencoded == bytes
        #expect(identical)
    }

    // MARK: - (d) Large tables and TF's overly-large-entry rule

    /// Random float32 entries with unique sorted keys and non-zero masked crcs (TF's C++
    /// writer would omit a crc of exactly 0, proto3 style, so such an entry is not TF's).
    static func syntheticEntries(count: Int, extraKeys: [[UInt8]], seed: UInt64) -> [BundleEntry] {
        var rng = SeededGenerator(seed: seed)
        var keys = Set<[UInt8]>(extraKeys)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz_/0123456789".utf8)
        while keys.count < count + extraKeys.count {
            keys.insert((0..<Int.random(in: 1...48, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
        }
        var offset: Int64 = 0
        return keys.sorted { $0.lexicographicallyPrecedes($1) }.map { key in
            let elements = Int64.random(in: 0...40, using: &rng)
            defer { offset += 4 * elements }
            return BundleEntry(key: key, dtype: .float32, shape: [elements], offset: offset, size: 4 * elements,
                               maskedCRC32C: UInt32.random(in: 1...UInt32.max, using: &rng))
        }
    }

    @Test func twentyThousandEntriesAndTwoHugeKeys() throws {
        let hugeA = Array("m".utf8) + [UInt8](repeating: 0x41, count: 600 * 1024)
        let hugeB = Array("t".utf8) + [UInt8](repeating: 0x42, count: 600 * 1024)
        let entries = Self.syntheticEntries(count: 20_000, extraKeys: [hugeA, hugeB], seed: 20_000)
        let original = BundleIndex(header: BundleHeader(), entries: entries)
        let bytes = original.encode()
        let decoded = try BundleIndex.decode(bytes, file: "big.index")
        let roundTrip = decoded == original
        #expect(roundTrip)
        let stable = decoded.encode() == bytes
        #expect(stable)

        let raw = try RawTable(bytes)
        let allKeys = raw.dataBlocks.flatMap { $0.entries.map(\.key) }
        let sameKeys = allKeys == [[]] + entries.map(\.key)
        #expect(sameKeys)
        #expect(raw.problems.isEmpty, "\(raw.problems)")
        for huge in [hugeA, hugeB] {
            let at = try #require(raw.dataBlocks.firstIndex { $0.entries.contains { $0.key == huge } })
            #expect(raw.dataBlocks[at].entries.count == 1, "a huge key shares its block")
            #expect(at > 0 && at < raw.dataBlocks.count - 1)
            // Small neighbours, in the blocks either side.
            #expect((raw.dataBlocks[at - 1].entries.last?.key.count ?? .max) < 100)
            #expect((raw.dataBlocks[at + 1].entries.first?.key.count ?? .max) < 100)
            // The block before it was flushed early, below the block size.
            #expect(raw.dataBlocks[at - 1].size < TableBuilder.defaultBlockSize)
        }
        // Every other block but the last was flushed only once it reached the block size.
        for (i, block) in raw.dataBlocks.enumerated().dropLast() {
            let beforeHuge = raw.dataBlocks[i + 1].entries.count == 1 && raw.dataBlocks[i + 1].entries[0].key.count > 500_000
            if !beforeHuge { #expect(block.size >= TableBuilder.defaultBlockSize, "block \(i) flushed at \(block.size)") }
        }
    }

    @Test func singleKeyOverHalfAMebibyte() throws {
        let key = [UInt8](repeating: 0x6b, count: 512 * 1024 + 1)
        let original = BundleIndex(header: BundleHeader(), entries: [
            BundleEntry(key: key, dtype: .float32, shape: [2], offset: 0, size: 8, maskedCRC32C: 0x1234_5678),
        ])
        let bytes = original.encode()
        let decoded = try BundleIndex.decode(bytes, file: "one-huge.index")
        let same = decoded == original
        #expect(same)
        let raw = try RawTable(bytes)
        // The header entry came first, so the huge entry went into a block of its own.
        #expect(raw.dataBlocks.map(\.entries.count) == [1, 1])
        #expect(raw.dataBlocks[0].entries[0].key == [])
        #expect(raw.problems.isEmpty)
    }

    /// Spec §3.4: `len(key) + len(value) >= 2 * block_size` flushes the current block first.
    @Test(arguments: [2 * 262_144 - 1, 2 * 262_144])
    func overlyLargeEntryThreshold(keyPlusValue: Int) throws {
        var builder = TableBuilder()
        #expect(builder.blockSize == 262_144)
        builder.add(key: Array("a".utf8), value: [1, 2, 3])
        let bigKey = Array("b".utf8) + [UInt8](repeating: 0x62, count: 99)
        builder.add(key: bigKey, value: [UInt8](repeating: 0x55, count: keyPlusValue - bigKey.count))
        builder.add(key: Array("c".utf8), value: [4, 5, 6])
        let bytes = builder.finish()
        let raw = try RawTable(bytes)
        let counts = raw.dataBlocks.map(\.entries.count)
        if keyPlusValue >= 2 * 262_144 {
            #expect(counts == [1, 1, 1])
        } else {
            // Joins the open block, which is then over the block size and flushed.
            #expect(counts == [2, 1])
        }
        #expect(raw.problems.isEmpty)
        #expect(try TableReader(bytes: bytes, file: "threshold").entries.count == 3)
    }

    @Test func hugeFirstEntryDoesNotFlushAnEmptyBlock() throws {
        var builder = TableBuilder()
        builder.add(key: [UInt8](repeating: 0x61, count: 600 * 1024), value: [])
        builder.add(key: Array("b".utf8), value: [1])
        let raw = try RawTable(builder.finish())
        #expect(raw.dataBlocks.map(\.entries.count) == [1, 1])
    }
}

// MARK: - Helpers

private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined(separator: " ")
}

import Foundation
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// Damaged, truncated and hostile `variables.index` files: the table and index decoders
/// answer with a typed `FormatError` of the right case whose description names the file (and
/// the entry, where the case has one). Nothing crashes, traps, hangs or allocates what a file
/// merely claims.
///
/// Real TensorFlow-written fixture bytes are damaged in memory or in a temporary copy; the
/// fixtures themselves are never written to. Helpers: `Support/BadInputSupport.swift`.
@Suite struct IndexBadInputTests: BadInputSuite {
    // MARK: 1. Truncated index

    @Test func truncatedIndexAlwaysThrowsFormatError() throws {
        let original = try fileBytes(Self.seedIndexPath)
        let name = "cut/variables.index"
        var cuts = Array(stride(from: 0, to: original.count, by: 7))
        cuts += [1, TableFooter.size - 1, TableFooter.size, TableFooter.size + 1, original.count - 8, original.count - 1]
        for length in cuts {
            let error = try #require(throws: FormatError.self, "cut at \(length)") {
                try BundleIndex.decode(Array(original.prefix(length)), file: name)
            }
            #expect(error.description.contains(name), "cut at \(length): \(error)")
            if length < TableFooter.size {
                #expect(error.kind == .truncated, "cut at \(length): \(error)")
            } else {
                // The last 8 bytes are no longer the magic: the reader says so before trusting the footer.
                #expect(error.kind == .corrupt && error.description.contains("magic"), "cut at \(length): \(error)")
            }
        }
        // Cut at the front instead: the footer survives but its handles point past the shortened file.
        for drop in stride(from: 1, to: original.count - TableFooter.size, by: 7) {
            let error = try #require(throws: FormatError.self, "dropped \(drop) leading bytes") {
                try BundleIndex.decode(Array(original.dropFirst(drop)), file: name)
            }
            #expect(error.description.contains(name), "dropped \(drop): \(error)")
            #expect(error.kind == .corrupt || error.kind == .truncated || error.kind == .checksumMismatch, "dropped \(drop): \(error)")
        }
    }

    // MARK: 2. Flipped bit in a block of the index

    @Test func flippedBitInIndexBlockIsChecksumMismatch() throws {
        let original = try fileBytes(Self.seedIndexPath)
        let layout = try TableLayout(original)
        let name = "flip/variables.index"
        let dataBlock = layout.dataBlocks[0]
        // A few positions inside the data block: the header entry, a key, a value, the restart array.
        for position in [0, 5, 40, Int(dataBlock.size) / 2, Int(dataBlock.size) - 3] {
            var bytes = original
            bytes[Int(dataBlock.offset) + position] ^= 0x10
            let error = try #require(throws: FormatError.self) { try BundleIndex.decode(bytes, file: name) }
            guard case let .checksumMismatch(file, entry, expected, actual) = error else {
                Issue.record("position \(position): expected checksumMismatch, got \(error)")
                continue
            }
            #expect(file == name)
            #expect(entry?.contains("data block at offset \(dataBlock.offset)") == true, "\(error)")
            #expect(expected != actual)
            #expect(error.description.contains(name) && error.description.contains("crc32c mismatch"))
        }
        // The index block and the stored crc itself.
        var inIndex = original
        inIndex[Int(layout.index.offset) + 1] ^= 0x01
        let indexError = try #require(throws: FormatError.self) { try BundleIndex.decode(inIndex, file: name) }
        #expect(indexError.kind == .checksumMismatch && indexError.entryName == "index block", "\(indexError)")
        var inTrailer = original
        inTrailer[Int(dataBlock.offset + dataBlock.size) + 2] ^= 0x80
        let trailerError = try #require(throws: FormatError.self) { try BundleIndex.decode(inTrailer, file: name) }
        #expect(trailerError.kind == .checksumMismatch && trailerError.description.contains(name), "\(trailerError)")
    }

    /// The compression type byte is covered by the crc; with the crc fixed up, snappy is
    /// reported as unsupported and any other type as corrupt.
    @Test func blockCompressionTypeIsChecked() throws {
        let original = try fileBytes(Self.seedIndexPath)
        let block = try TableLayout(original).dataBlocks[0]
        let name = "type/variables.index"
        var flipped = original
        flipped[Int(block.offset + block.size)] = 1
        #expect(throws: FormatError.self) { try BundleIndex.decode(flipped, file: name) }

        var snappy = original
        snappy[Int(block.offset + block.size)] = 1
        refreshTrailer(&snappy, block)
        let snappyError = try #require(throws: FormatError.self) { try BundleIndex.decode(snappy, file: name) }
        #expect(snappyError.kind == .unsupported && snappyError.description.contains(name), "\(snappyError)")

        var unknown = original
        unknown[Int(block.offset + block.size)] = 7
        refreshTrailer(&unknown, block)
        let unknownError = try #require(throws: FormatError.self) { try BundleIndex.decode(unknown, file: name) }
        #expect(unknownError.kind == .corrupt && unknownError.description.contains("compression type 7"), "\(unknownError)")
    }

    // MARK: 3. Wrong magic

    @Test func wrongMagicIsCorrupt() throws {
        let original = try fileBytes(Self.seedIndexPath)
        let name = "magic/variables.index"
        let damages: [(String, ([UInt8]) -> [UInt8])] = [
            ("last byte changed", { var b = $0; b[b.count - 1] ^= 0x01; return b }),
            ("first magic byte changed", { var b = $0; b[b.count - 8] ^= 0x80; return b }),
            ("magic zeroed", { Array($0.dropLast(8)) + [UInt8](repeating: 0, count: 8) }),
            ("magic byte-reversed", { Array($0.dropLast(8)) + $0.suffix(8).reversed() }),
            ("trailing garbage after the magic", { $0 + [0x00] }),
        ]
        for (what, damage) in damages {
            let error = try #require(throws: FormatError.self, "\(what)") { try BundleIndex.decode(damage(original), file: name) }
            guard case let .corrupt(file, entry, detail) = error else {
                Issue.record("\(what): expected corrupt, got \(error)")
                continue
            }
            #expect(file == name && entry == nil)
            #expect(detail.contains("magic"), "\(what): \(detail)")
            #expect(error.description.contains(name))
        }
    }

    // MARK: 4. Entry extent beyond its data file

    /// An extent whose end does not fit in an int64 is refused by the index itself.
    @Test func entryExtentOverflowIsCorrupt() throws {
        let original = try BundleIndex.decode(try fileBytes(Self.seedIndexPath), file: Self.seedIndexPath)
        let name = "extent/variables.index"
        for (offset, shard) in [(Int64.max - 3, Int32(0)), (-1, 0), (0, 1), (0, -1)] {
            var index = original
            index.entries[3].offset = offset
            index.entries[3].shardID = shard
            let error = try #require(throws: FormatError.self) { try BundleIndex.decode(index.encode(), file: name) }
            #expect(error.kind == .corrupt && error.entryName == index.entries[3].displayName, "\(error)")
            #expect(error.description.contains(name) && error.description.contains(index.entries[3].displayName))
        }
    }

    // MARK: 6. Overflowing varints

    @Test func overflowingVarintsAreCorrupt() throws {
        let name = "varint/variables.index"
        let clean = Self.smallTable()
        let block = try TableLayout(clean).dataBlocks[0]
        #expect(throws: Never.self) { try BundleIndex.decode(clean, file: name) }

        // Entry 0 starts the block: shared | non_shared | value_len, one byte each here. Overwrite
        // in place (sizes unchanged) and fix the trailer so the block parser is what objects.
        let patches: [(String, Int, [UInt8])] = [
            ("shared 0xff×6", 0, [UInt8](repeating: 0xff, count: 6)),
            ("non_shared 0xff×5", 1, [UInt8](repeating: 0xff, count: 5)),
            ("value_len above 32 bits", 2, [0xff, 0xff, 0xff, 0xff, 0x1f]),
        ]
        for (what, at, patch) in patches {
            var bytes = clean
            bytes.replaceSubrange((Int(block.offset) + at)..<(Int(block.offset) + at + patch.count), with: patch)
            refreshTrailer(&bytes, block)
            let error = try #require(throws: FormatError.self, "\(what)") { try BundleIndex.decode(bytes, file: name) }
            guard case let .corrupt(file, _, detail) = error else {
                Issue.record("\(what): expected corrupt, got \(error)")
                continue
            }
            #expect(file == name && detail.contains("overlong varint"), "\(what): \(detail)")
            #expect(error.description.contains(name))
        }

        // The footer's handles are varint64s and have no crc: an 11-byte varint is refused.
        var footer = clean
        let footerStart = footer.count - TableFooter.size
        footer.replaceSubrange(footerStart..<(footerStart + 11), with: [UInt8](repeating: 0xff, count: 11))
        let footerError = try #require(throws: FormatError.self) { try BundleIndex.decode(footer, file: name) }
        #expect(footerError.kind == .corrupt && footerError.description.contains("overlong varint"), "\(footerError)")
        #expect(footerError.description.contains(name))

        // A handle of 2^64-1 bytes must not overflow when its end is computed.
        var huge = clean
        let handle = BlockHandle(offset: 1, size: UInt64.max).encoded
        huge.replaceSubrange(footerStart..<(footerStart + handle.count), with: handle)
        let hugeError = try #require(throws: FormatError.self) { try BundleIndex.decode(huge, file: name) }
        #expect(hugeError.kind == .corrupt && hugeError.description.contains(name), "\(hugeError)")
    }

    /// A block that claims more restart points than it has room for, or restart offsets
    /// outside its entries, is refused before any of them is used.
    @Test func badRestartArraysAreCorrupt() throws {
        let name = "restarts/variables.index"
        let clean = Self.smallTable()
        let block = try TableLayout(clean).dataBlocks[0]
        let countAt = Int(block.offset + block.size) - 4
        let restartAt = countAt - 4
        let patches: [(String, Int, [UInt8])] = [
            ("restart count 0xffffffff", countAt, [0xff, 0xff, 0xff, 0xff]),
            ("restart count 0", countAt, [0, 0, 0, 0]),
            ("restart offset past the entries", restartAt, [0xff, 0xff, 0x00, 0x00]),
            ("restart offset inside an entry", restartAt, [0x01, 0x00, 0x00, 0x00]),
        ]
        for (what, at, patch) in patches {
            var bytes = clean
            bytes.replaceSubrange(at..<(at + patch.count), with: patch)
            refreshTrailer(&bytes, block)
            let error = try #require(throws: FormatError.self, "\(what)") { try BundleIndex.decode(bytes, file: name) }
            #expect(error.kind == .corrupt && error.description.contains(name), "\(what): \(error)")
        }
    }

    // MARK: 7. Absurd shapes

    @Test func absurdShapesAreCorruptWithoutAllocating() throws {
        let name = "shapes/variables.index"
        let cases: [(String, BundleEntry, String)] = [
            ("element count overflows", BundleEntry(key: Array("huge".utf8), dtype: .float32, shape: [Int64.max / 2, 4], size: 16),
             "more bytes than any file can hold"),
            ("bytes overflow", BundleEntry(key: Array("wide".utf8), dtype: .float64, shape: [1 << 31, 1 << 30], size: 8),
             "more bytes than any file can hold"),
            ("string count + 4 overflows", BundleEntry(key: Array("strings".utf8), dtype: .string, shape: [Int64.max], size: 8),
             "more bytes than any file can hold"),
            ("negative dimension", BundleEntry(key: Array("negative".utf8), dtype: .float32, shape: [-1, 3], size: 12),
             "negative dimension"),
            ("unknown dimension, 10-byte varint", BundleEntry(key: Array("unknown".utf8), dtype: .int64, shape: [Int64.min]),
             "negative dimension"),
            ("size disagrees with shape", BundleEntry(key: Array("mismatch".utf8), dtype: .float32, shape: [3], size: 13),
             "does not match shape"),
            ("partitioned, negative dimension",
             BundleEntry(key: Array("sliced".utf8), dtype: .float32, shape: [-4],
                         slices: [TensorSlice(extents: [.init(start: 0, length: nil)])]),
             "negative dimension"),
            ("not storable", BundleEntry(key: Array("resource".utf8), dtype: .resource, shape: []), "cannot be stored"),
        ]
        for (what, entry, expected) in cases {
            let bytes = BundleIndex(header: BundleHeader(), entries: [entry]).encode()
            let error = try #require(throws: FormatError.self, "\(what)") { try BundleIndex.decode(bytes, file: name) }
            guard case let .corrupt(file, entryName, detail) = error else {
                Issue.record("\(what): expected corrupt, got \(error)")
                continue
            }
            #expect(file == name && entryName == entry.displayName, "\(what): \(error)")
            #expect(detail.contains(expected), "\(what): \(detail)")
            #expect(error.description.contains(name) && error.description.contains("'\(entry.displayName)'"))
        }
    }

    // MARK: 8. Duplicate and unsorted keys

    @Test func duplicateAndUnsortedKeysAreCorrupt() throws {
        let name = "keys/variables.index"
        let header: [UInt8] = BundleHeader().encodedValue
        func value(_ key: String) -> [UInt8] {
            BundleEntry(key: Array(key.utf8), dtype: .float32, shape: [], size: 4, maskedCRC32C: 0).encodedValue
        }
        func kv(_ key: String) -> CraftedEntry { (Array(key.utf8), key.isEmpty ? header : value(key)) }

        // Control: the hand-made assembler produces a table the reader accepts.
        let sorted = assembleTable(blocks: [[kv(""), kv("a"), kv("b")]])
        #expect(throws: Never.self) { try BundleIndex.decode(sorted, file: name) }

        let cases: [(String, [[CraftedEntry]], [[UInt8]]?, String, String)] = [
            ("duplicate in a block", [[kv(""), kv("a"), kv("a")]], nil, "a", "duplicate key"),
            ("unsorted in a block", [[kv(""), kv("b"), kv("a")]], nil, "a", "keys out of order"),
            ("duplicate header key", [[kv(""), kv("")]], nil, "", "duplicate key"),
            ("duplicate across blocks", [[kv(""), kv("a")], [kv("a"), kv("b")]], nil, "a", "duplicate key"),
            ("unsorted across blocks", [[kv(""), kv("b")], [kv("a")]], nil, "a", "keys out of order"),
            ("key beyond its block's index key", [[kv(""), kv("a"), kv("z")]], [Array("m".utf8)], "z", "beyond its block's index key"),
        ]
        for (what, blocks, indexKeys, entry, problem) in cases {
            let bytes = assembleTable(blocks: blocks, indexKeys: indexKeys)
            let error = try #require(throws: FormatError.self, "\(what)") { try BundleIndex.decode(bytes, file: name) }
            guard case let .corrupt(file, entryName, detail) = error else {
                Issue.record("\(what): expected corrupt, got \(error)")
                continue
            }
            #expect(file == name && entryName == entry && detail.contains(problem), "\(what): \(error)")
            #expect(error.description.contains(name) && error.description.contains("'\(entry)'"))
        }

        // No header under the empty key, or an empty table.
        for blocks in [[[kv("a")]], [[]]] as [[[CraftedEntry]]] {
            let error = try #require(throws: FormatError.self) { try BundleIndex.decode(assembleTable(blocks: blocks), file: name) }
            #expect(error.kind == .corrupt && error.description.contains("no header"), "\(error)")
        }
        // Data blocks listed out of order by the index block.
        var layoutBroken = assembleTable(blocks: [[kv(""), kv("a")], [kv("b")]], indexKeys: [Array("y".utf8), Array("z".utf8)])
        let layout = try TableLayout(layoutBroken)
        var indexBlock = BlockBuilder(restartInterval: 1)
        indexBlock.add(key: Array("y".utf8), value: layout.dataBlocks[1].encoded)
        indexBlock.add(key: Array("z".utf8), value: layout.dataBlocks[0].encoded)
        let rebuilt = indexBlock.finish()
        #expect(rebuilt.count == Int(layout.index.size))
        layoutBroken.replaceSubrange(Int(layout.index.offset)..<Int(layout.index.offset + layout.index.size), with: rebuilt)
        refreshTrailer(&layoutBroken, layout.index)
        let orderError = try #require(throws: FormatError.self) { try BundleIndex.decode(layoutBroken, file: name) }
        #expect(orderError.kind == .corrupt && orderError.description.contains("out of order"), "\(orderError)")
    }

    /// Prefix compression as a decompression bomb: each entry shares the whole previous key
    /// and adds one byte, so 5 stored bytes rebuild an ever longer key. 40 000 such entries
    /// (a 224 KB file) would rebuild 800 MB of keys; the reader refuses the block first.
    @Test func prefixCompressionBombIsRefused() throws {
        let name = "bomb/variables.index"
        // Encoded directly (a BlockBuilder would need every key in memory): the header entry,
        // then entries that each share the whole previous key and add "a"; one restart point.
        func bomb(_ count: Int) -> [UInt8] {
            let header = BundleHeader().encodedValue
            var block: [UInt8] = [0, 0, UInt8(header.count)] + header
            for shared in 0..<count {
                ByteWriter.appendVarint(UInt64(shared), to: &block)
                block += [1, 0, 0x61]
            }
            ByteWriter.appendUInt32LE(0, to: &block)
            ByteWriter.appendUInt32LE(1, to: &block)
            return assembleTable(contents: [block])
        }
        // Control: 100 such entries expand about 10-fold, which the table reader accepts; the
        // empty values are then refused as entries.
        let small = try #require(throws: FormatError.self) { try BundleIndex.decode(bomb(100), file: name) }
        #expect(small.kind == .corrupt && small.entryName == "a", "\(small)")

        let bytes = bomb(40_000)
        #expect(bytes.count < 250_000)
        let clock = ContinuousClock()
        let start = clock.now
        let error = try #require(throws: FormatError.self) { try BundleIndex.decode(bytes, file: name) }
        let elapsed = clock.now - start
        #expect(error.kind == .corrupt && error.description.contains(name), "\(error)")
        #expect(error.description.contains("prefix-compressed keys expand"), "\(error)")
        #expect(elapsed < .seconds(2), "took \(elapsed)")
    }

    /// A header or entry value that is not the protobuf it should be.
    @Test func undecodableValuesAreCorrupt() throws {
        let name = "values/variables.index"
        let cases: [(String, [CraftedEntry], String)] = [
            ("header not a BundleHeaderProto", [([], [0xff, 0xff])], "(header)"),
            ("entry not a BundleEntryProto", [([], BundleHeader().encodedValue), (Array("x".utf8), [0x0a, 0x05, 0x01])], "x"),
            ("dtype varint beyond int32", [([], BundleHeader().encodedValue),
                                           (Array("y".utf8), [0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x12, 0x00])], "y"),
        ]
        for (what, entries, entryName) in cases {
            let error = try #require(throws: FormatError.self, "\(what)") {
                try BundleIndex.decode(assembleTable(blocks: [entries]), file: name)
            }
            #expect(error.kind == .corrupt && error.entryName == entryName, "\(what): \(error)")
            #expect(error.description.contains(name))
        }
        var header = BundleHeader()
        header.numShards = 0
        let noShards = BundleIndex(header: header, entries: []).encode()
        let shardsError = try #require(throws: FormatError.self) { try BundleIndex.decode(noShards, file: name) }
        #expect(shardsError.kind == .corrupt && shardsError.description.contains(name), "\(shardsError)")
        header = BundleHeader()
        header.minConsumer = 7
        let newer = BundleIndex(header: header, entries: []).encode()
        let newerError = try #require(throws: FormatError.self) { try BundleIndex.decode(newer, file: name) }
        #expect(newerError.kind == .unsupported && newerError.description.contains(name), "\(newerError)")
    }
}

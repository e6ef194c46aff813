import Foundation
import Testing
@testable import Registry

/// Damaged, truncated and hostile inputs: every reader in `Format/` answers with a typed
/// `FormatError` of the right case whose description names the file (and the entry, where
/// the case has one). Nothing crashes, traps, hangs or allocates what a file merely claims.
///
/// Real TensorFlow-written fixture bytes are damaged in memory or in a temporary copy; the
/// fixtures themselves are never written to.
@Suite struct BadInputTests {
    static let seedIndexPath = Fixtures.path("seed_mlp_training/variables/variables.index")
    static let seedDataPath = Fixtures.path("seed_mlp_training/variables/variables.data-00000-of-00001")
    static let seedGraphPath = Fixtures.path("seed_mlp_training/saved_model.pb")
    static let zooPrefix = Fixtures.path("dtypes_zoo/variables/variables")

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

    @Test func entryBeyondItsDataFileIsTruncated() throws {
        let original = try BundleIndex.decode(try fileBytes(Self.seedIndexPath), file: Self.seedIndexPath)
        let dataSize = Int64(try fileBytes(Self.seedDataPath).count)
        let target = try #require(original.entry(named: "hidden_layer_1/kernel"))
        for (what, offset) in [("one byte past the end", dataSize - target.size + 1), ("far past the end", dataSize + 1 << 40)] {
            let tmp = try TemporaryDirectory()
            defer { tmp.cleanup() }
            var index = original
            let position = try #require(index.entries.firstIndex { $0.key == target.key })
            index.entries[position].offset = offset
            let prefix = tmp.path + "/variables"
            try FileSystem.write(index.encode(), to: prefix + ".index")
            try FileSystem.copyFile(from: Self.seedDataPath, to: prefix + ".data-00000-of-00001")

            let error = try #require(throws: FormatError.self, "\(what)") { try BundleReader(prefix: prefix) }
            guard case let .truncated(file, detail) = error else {
                Issue.record("\(what): expected truncated, got \(error)")
                continue
            }
            #expect(file == prefix + ".data-00000-of-00001", "\(what): \(error)")
            #expect(detail.contains("'hidden_layer_1/kernel'"), "\(what): \(detail)")
            #expect(error.description.contains("variables.data-00000-of-00001"))
        }
    }

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

    // MARK: 5. Flipped bit in a data shard

    @Test func flippedBitInDataShardIsChecksumMismatch() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.cleanup() }
        let index = try BundleIndex.decode(try fileBytes(Self.seedIndexPath), file: Self.seedIndexPath)
        let damaged = try #require(index.entry(named: "hideen_layer_2/kernel/Adam"))
        var data = try fileBytes(Self.seedDataPath)
        data[Int(damaged.offset) + 1234] ^= 0x04
        let prefix = tmp.path + "/variables"
        let dataPath = prefix + ".data-00000-of-00001"
        try FileSystem.copyFile(from: Self.seedIndexPath, to: prefix + ".index")
        try FileSystem.write(data, to: dataPath)

        let reader = try BundleReader(prefix: prefix)
        let readError = try #require(throws: FormatError.self) { try reader.read(damaged) }
        guard case let .checksumMismatch(file, entry, expected, actual) = readError else {
            Issue.record("expected checksumMismatch, got \(readError)")
            return
        }
        #expect(file == dataPath && entry == "hideen_layer_2/kernel/Adam" && expected != actual)
        #expect(readError.description.contains(dataPath) && readError.description.contains("'hideen_layer_2/kernel/Adam'"))

        for chunkSize in [1 << 20, 4096, 1000, 7] {
            let streamError = try #require(throws: FormatError.self, "chunk \(chunkSize)") {
                try reader.stream(damaged, chunkSize: chunkSize) { _ in }
            }
            #expect(streamError == readError, "chunk \(chunkSize): \(streamError)")
        }
        // The neighbours are untouched and still check out.
        for entry in index.entries where entry.key != damaged.key {
            #expect(throws: Never.self, "\(entry.displayName)") { _ = try reader.read(entry) }
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

    /// A shape whose arithmetic fits but whose bytes (4 TiB) no file holds: the index is fine,
    /// the reader refuses it against the data file's real size instead of reading.
    @Test func hugeButConsistentShapeIsRefusedAtOpen() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.cleanup() }
        let prefix = tmp.path + "/variables"
        let entry = BundleEntry(key: Array("terabytes".utf8), dtype: .float32, shape: [1 << 40], size: 1 << 42,
                                maskedCRC32C: CRC32C.mask(0))
        try FileSystem.write(BundleIndex(header: BundleHeader(), entries: [entry]).encode(), to: prefix + ".index")
        try FileSystem.copyFile(from: Self.seedDataPath, to: prefix + ".data-00000-of-00001")
        let error = try #require(throws: FormatError.self) { try BundleReader(prefix: prefix) }
        #expect(error.kind == .truncated, "\(error)")
        #expect(error.description.contains(prefix + ".data-00000-of-00001") && error.description.contains("'terabytes'"))
    }

    /// A partitioned tensor's full entry holds no data, so its shape is checked only for
    /// arithmetic. Assembling it must not allocate what the shape claims, nor trust a slice
    /// entry of another dtype.
    @Test func partitionedTensorWithAbsurdShapeOrMismatchedSliceIsRefused() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.cleanup() }
        let prefix = tmp.path + "/variables"
        let data = try fileBytes(Self.seedDataPath)
        try FileSystem.write(data, to: prefix + ".data-00000-of-00001")
        let firstRow = TensorSlice(extents: [.init(start: 0, length: 1), .init(start: 0, length: nil)])
        func slicePart(_ dtype: DType, _ shape: [Int64]) -> BundleEntry {
            let size = Int64(dtype.elementSize!) * shape.reduce(1, *)
            return BundleEntry(key: TensorSliceKey(name: Array("p".utf8), slice: firstRow).encoded, dtype: dtype, shape: shape,
                               size: size, maskedCRC32C: CRC32C.mask(CRC32C.checksum(data.prefix(Int(size)))))
        }
        let cases: [(String, BundleEntry, BundleEntry)] = [
            ("16 TiB full shape",
             BundleEntry(key: Array("p".utf8), dtype: .float32, shape: [1 << 40, 4], slices: [firstRow]), slicePart(.float32, [1, 4])),
            ("slice stored as int8",
             BundleEntry(key: Array("p".utf8), dtype: .float32, shape: [2, 4], slices: [firstRow]), slicePart(.int8, [1, 4])),
            ("slice entry itself partitioned",
             BundleEntry(key: Array("p".utf8), dtype: .float32, shape: [2, 4], slices: [firstRow]),
             BundleEntry(key: TensorSliceKey(name: Array("p".utf8), slice: firstRow).encoded, dtype: .float32, shape: [1, 4],
                         maskedCRC32C: CRC32C.mask(0), slices: [TensorSlice(extents: [.init(start: 0, length: nil), .init(start: 0, length: nil)])])),
        ]
        for (what, full, part) in cases {
            // Slice keys start with 0x00 and so sort first.
            let index = BundleIndex(header: BundleHeader(), entries: [part, full])
            try? FileManager.default.removeItem(atPath: prefix + ".index")
            try FileSystem.write(index.encode(), to: prefix + ".index")
            let reader = try BundleReader(prefix: prefix)
            let error = try #require(throws: FormatError.self, "\(what)") {
                _ = try reader.fullValue(of: try #require(reader.index.entry(named: "p")))
            }
            #expect(error.kind == .corrupt, "\(what): \(error)")
            #expect(error.description.contains(prefix + ".index") && error.entryName == "p", "\(what): \(error)")
        }
    }

    /// A header claiming billions of shards must not make the reader open (or allocate a
    /// slot for) each of them; a large but allowed count of mostly absent shards must not
    /// use a file descriptor per absent shard.
    @Test func absurdShardCountIsRefused() throws {
        let original = try BundleIndex.decode(try fileBytes(Self.seedIndexPath), file: Self.seedIndexPath)
        for shards in [Int32.max, BundleHeader.maxShards + 1] {
            let tmp = try TemporaryDirectory()
            defer { tmp.cleanup() }
            let prefix = tmp.path + "/variables"
            var index = original
            index.header.numShards = shards
            try FileSystem.write(index.encode(), to: prefix + ".index")
            try FileSystem.copyFile(from: Self.seedDataPath, to: BundleReader.dataFileName(prefix: prefix, shard: 0, of: Int(shards)))
            let error = try #require(throws: FormatError.self, "\(shards) shards") { try BundleReader(prefix: prefix) }
            #expect(error.kind == .unsupported && error.description.contains(prefix + ".index"), "\(shards) shards: \(error)")
        }

        // An allowed count with most shards absent: one shared stand-in, not a descriptor each
        // (with one per shard, a few thousand absent shards exhaust the process's descriptors).
        let tmp = try TemporaryDirectory()
        defer { tmp.cleanup() }
        let prefix = tmp.path + "/variables"
        var index = original
        index.header.numShards = 1_000
        try FileSystem.write(index.encode(), to: prefix + ".index")
        try FileSystem.copyFile(from: Self.seedDataPath, to: BundleReader.dataFileName(prefix: prefix, shard: 0, of: 1_000))
        let reader = try BundleReader(prefix: prefix)
        #expect(reader.dataFilePaths.count == 1_000)
        let standIns = Set((1..<Int32(1_000)).map { ObjectIdentifier(reader.dataFile(shard: $0)) })
        #expect(standIns.count == 1 && reader.dataFile(shard: 999).size == 0)
        let entry = try #require(reader.index.entry(named: "global_step"))
        #expect(throws: Never.self) { _ = try reader.read(entry) }
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

    // MARK: 9. String tensors

    @Test func damagedStringTensorsAreTypedErrors() throws {
        let reader = try BundleReader(prefix: Self.zooPrefix)
        let entry = try #require(reader.index.entry(named: "str_vector/.ATTRIBUTES/VARIABLE_VALUE"))
        let count = Int(try #require(entry.elementCount))
        let payload = try reader.read(entry)
        let file = "zoo/variables.data-00000-of-00001"
        #expect(throws: Never.self) { try StringTensor.decode(payload, count: count, file: file, entry: entry.displayName) }

        // Where the 4-byte length checksum sits: after `count` varints.
        var lengths = ByteReader(payload)
        for _ in 0..<count { _ = try lengths.readVarint() }
        let crcAt = lengths.position

        var badCRC = payload
        badCRC[crcAt + 1] ^= 0x01
        let crcError = try #require(throws: FormatError.self) {
            try StringTensor.decode(badCRC, count: count, file: file, entry: entry.displayName)
        }
        guard case let .checksumMismatch(crcFile, crcEntry, _, _) = crcError else {
            Issue.record("expected checksumMismatch, got \(crcError)")
            return
        }
        #expect(crcFile == file && crcEntry == entry.displayName)
        #expect(crcError.description.contains(file) && crcError.description.contains("'\(entry.displayName)'"))

        // The same damage on disk, found by reader.read and stream.
        let tmp = try TemporaryDirectory()
        defer { tmp.cleanup() }
        let prefix = tmp.path + "/variables"
        var data = try fileBytes(Self.zooPrefix + ".data-00000-of-00001")
        data[Int(entry.offset) + crcAt + 1] ^= 0x01
        try FileSystem.copyFile(from: Self.zooPrefix + ".index", to: prefix + ".index")
        try FileSystem.write(data, to: prefix + ".data-00000-of-00001")
        let damaged = try BundleReader(prefix: prefix)
        let readError = try #require(throws: FormatError.self) { try damaged.read(entry) }
        #expect(readError.kind == .checksumMismatch && readError.entryName == entry.displayName, "\(readError)")
        #expect(readError.description.contains(prefix + ".data-00000-of-00001"))
        let streamError = try #require(throws: FormatError.self) { try damaged.stream(entry, chunkSize: 16) { _ in } }
        #expect(streamError == readError)

        // Lengths that cover more than the payload: payload cut short, a length inflated in
        // place, an 11-byte length, more elements than stored.
        var inflated = StringTensor.encode([Array("abc".utf8), [UInt8](repeating: 0x78, count: 200)]).payload
        #expect(inflated[1...2] == [0xc8, 0x01])
        inflated[1] = 0xff
        inflated[2] = 0x7f
        var overlong = StringTensor.encode([Array("abc".utf8)]).payload
        overlong.replaceSubrange(0..<1, with: [UInt8](repeating: 0xff, count: 10) + [0x01])
        let lengthCases: [(String, [UInt8], Int)] = [
            ("payload cut short", Array(payload.dropLast(10)), count),
            ("payload cut inside the lengths", Array(payload.prefix(3)), count),
            ("length inflated past the payload", inflated, 2),
            ("11-byte length", overlong, 1),
            ("more elements than stored", payload, count + 100),
            ("empty payload", [], 1),
        ]
        for (what, bytes, elements) in lengthCases {
            let error = try #require(throws: FormatError.self, "\(what)") {
                try StringTensor.decode(bytes, count: elements, file: file, entry: entry.displayName)
            }
            #expect(error.kind == .corrupt || error.kind == .checksumMismatch, "\(what): \(error)")
            #expect(error.entryName == entry.displayName && error.description.contains(file), "\(what): \(error)")
        }
    }

    // MARK: 10. saved_model.pb truncated inside a MetaGraphDef

    @Test func truncatedSavedModelNamesTheFile() throws {
        let original = try fileBytes(Self.seedGraphPath)
        let name = "cut/saved_model.pb"
        let model = try SavedModelFile.decode(binary: original, file: name)
        let graph = try #require(model.metaGraphs.first).bytes

        // Cut the file: the MetaGraphDef's length runs past the end.
        for fraction in [0.01, 0.25, 0.5, 0.75, 0.999] {
            let cut = Array(original.prefix(Int(Double(original.count) * fraction)))
            let error = try #require(throws: FormatError.self, "cut at \(fraction)") {
                try SavedModelFile.decode(binary: cut, file: name)
            }
            #expect(error.kind == .truncated && error.description.contains(name), "cut at \(fraction): \(error)")
        }
        // Cut the MetaGraphDef but keep the framing consistent: the graph itself fails to parse.
        for fraction in [0.3, 0.5, 0.9] {
            let cutGraph = Array(graph.prefix(Int(Double(graph.count) * fraction)))
            let bytes = SavedModelFile.encodeBinary(schemaVersion: 1, metaGraphs: [cutGraph])
            let error = try #require(throws: FormatError.self, "graph cut at \(fraction)") {
                try SavedModelFile.decode(binary: bytes, file: name)
            }
            #expect(error.kind == .corrupt && error.description.contains(name), "graph cut at \(fraction): \(error)")
        }
        // An overlong varint is corruption, not truncation; a group wire type is not allowed.
        let overlong: [UInt8] = [0x08] + [UInt8](repeating: 0xff, count: 10) + [0x01]
        let overlongError = try #require(throws: FormatError.self) { try SavedModelFile.decode(binary: overlong, file: name) }
        #expect(overlongError.kind == .corrupt && overlongError.description.contains(name), "\(overlongError)")
        let group: [UInt8] = [0x08, 0x01, 0x1b]
        let groupError = try #require(throws: FormatError.self) { try SavedModelFile.decode(binary: group, file: name) }
        #expect(groupError.kind == .corrupt && groupError.description.contains(name), "\(groupError)")
        let future: [UInt8] = [0x08, 0x02]
        let futureError = try #require(throws: FormatError.self) { try SavedModelFile.decode(binary: future, file: name) }
        #expect(futureError.kind == .unsupported && futureError.description.contains(name), "\(futureError)")
        let text = try #require(throws: FormatError.self) {
            try SavedModelFile.decode(text: Array("meta_graphs { {{ ".utf8), file: "x/saved_model.pbtxt")
        }
        #expect(text.kind == .corrupt && text.description.contains("x/saved_model.pbtxt"), "\(text)")

        // Through the folder API: the error names the file inside the folder.
        let tmp = try TemporaryDirectory()
        defer { tmp.cleanup() }
        try FileSystem.write(Array(original.prefix(original.count / 2)), to: tmp.path + "/saved_model.pb")
        let folderError = try #require(throws: FormatError.self) { try SavedModelDirectory.open(tmp.path) }
        #expect(folderError.kind == .truncated && folderError.description.contains(tmp.path + "/saved_model.pb"), "\(folderError)")
    }

    // MARK: 11. Garbage checkpoint state

    @Test func garbageCheckpointStateIsCorrupt() throws {
        let name = "ckpt/checkpoint"
        let real = try fileBytes(Fixtures.path("saver_checkpoints/plain/checkpoint"))
        #expect(throws: Never.self) { try CheckpointState.parse(real, file: name) }
        let cases: [(String, [UInt8])] = [
            ("garbage text", Array("this is not a checkpoint state }{ :: \"".utf8)),
            ("cut inside a quoted path", Array(real.prefix(30))),
            ("unknown field", Array("model_checkpoint_path: \"a\"\nbogus_field: 3\n".utf8)),
            ("wrong type", Array("model_checkpoint_path: 17\n".utf8)),
            ("not UTF-8", [0x6d, 0xff, 0xfe, 0x00, 0xc3]),
            ("binary fixture bytes", Array(try fileBytes(Self.seedIndexPath).prefix(200))),
        ]
        for (what, bytes) in cases {
            let error = try #require(throws: FormatError.self, "\(what)") { try CheckpointState.parse(bytes, file: name) }
            guard case let .corrupt(file, _, _) = error else {
                Issue.record("\(what): expected corrupt, got \(error)")
                continue
            }
            #expect(file == name && error.description.contains(name))
        }
        let oversized = try #require(throws: FormatError.self) {
            try CheckpointState.parse([UInt8](repeating: 0x20, count: (16 << 20) + 1), file: name)
        }
        #expect(oversized.kind == .unsupported && oversized.description.contains(name))

        // Through the folder API.
        let tmp = try TemporaryDirectory()
        defer { tmp.cleanup() }
        try FileSystem.write(Array("garbage {".utf8), to: tmp.path + "/checkpoint")
        let folderError = try #require(throws: FormatError.self) { try CheckpointFolder.open(tmp.path) }
        #expect(folderError.kind == .corrupt && folderError.description.contains(tmp.path + "/checkpoint"), "\(folderError)")
    }

    // MARK: 12. Unsafe paths

    @Test func symlinksAndSpecialFilesAreRefused() throws {
        let source = Fixtures.path("seed_mlp_training")
        for layout in ["link at the top", "link inside variables", "fifo"] {
            let tmp = try TemporaryDirectory()
            defer { tmp.cleanup() }
            let root = tmp.path + "/model"
            try FileSystem.createDirectory(root)
            try FileSystem.createDirectory(root + "/variables")
            try FileSystem.copyFile(from: source + "/saved_model.pb", to: root + "/saved_model.pb")
            try FileSystem.copyFile(from: Self.seedIndexPath, to: root + "/variables/variables.index")
            try FileSystem.copyFile(from: Self.seedDataPath, to: root + "/variables/variables.data-00000-of-00001")
            #expect(throws: Never.self, "\(layout): the clean copy opens") { try SavedModelDirectory.open(root) }
            let offender: String
            switch layout {
            case "link at the top":
                offender = root + "/passwd"
                try FileManager.default.createSymbolicLink(atPath: offender, withDestinationPath: "/etc/passwd")
            case "link inside variables":
                offender = root + "/variables/variables.data-00000-of-00002"
                try FileManager.default.createSymbolicLink(atPath: offender, withDestinationPath: Self.seedDataPath)
            default:
                offender = root + "/pipe"
                #expect(mkfifo(offender, 0o644) == 0)
            }
            let error = try #require(throws: FormatError.self, "\(layout)") { try SavedModelDirectory.open(root) }
            guard case let .unsafePath(file, _) = error else {
                Issue.record("\(layout): expected unsafePath, got \(error)")
                continue
            }
            #expect(file == offender && error.description.contains(offender), "\(layout): \(error)")
        }
    }

    @Test func relativePathValidationRefusesEscapes() throws {
        let name = "registry.db"
        let refused = ["../x", "a/../../x", "..", "/etc/passwd", "a//b", "a/./b", "./a", ".", "a/", "", "a\u{0}b",
                       "variables/\u{0}", "a\\b", "..\\x"]
        for path in refused {
            let error = try #require(throws: FormatError.self, "\(path.debugDescription)") { try RelativePath.validate(path, file: name) }
            guard case let .unsafePath(file, _) = error else {
                Issue.record("\(path.debugDescription): expected unsafePath, got \(error)")
                continue
            }
            #expect(file == name && error.description.contains(name))
        }
        for path in ["variables/variables.index", "assets/x y.txt", "..foo", "a/b.", "assets.extra/..hidden", "名前/ファイル"] {
            #expect(throws: Never.self, "\(path)") { try RelativePath.validate(path, file: name) }
        }
    }

    // MARK: 13. Seeded mutation loop

    @Test func mutatedIndexesDecodeOrThrowFormatError() throws {
        let original = try fileBytes(Self.seedIndexPath)
        let layout = try TableLayout(original)
        let name = "mutant/variables.index"
        var rng = BadInputRNG(seed: 0x5eed_1dec_0de5_eed5)
        var outcomes: [String: Int] = [:]
        var unnamed = 0
        for round in 0..<2_000 {
            var bytes = original
            let kind = rng.below(10)
            switch kind {
            case 0:  // flip 1-3 bits anywhere
                for _ in 0...rng.below(3) { bytes[rng.below(bytes.count)] ^= UInt8(1) << UInt8(rng.below(8)) }
            case 1:  // truncate
                bytes.removeLast(1 + rng.below(bytes.count))
            case 2:  // insert 1-8 random bytes
                let at = rng.below(bytes.count + 1)
                bytes.insert(contentsOf: (0...rng.below(8)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
            case 3:  // delete a range
                let at = rng.below(bytes.count)
                bytes.removeSubrange(at..<min(bytes.count, at + 1 + rng.below(16)))
            case 4:  // a special byte value somewhere
                bytes[rng.below(bytes.count)] = [0x00, 0xff, 0x80, 0x7f, 0x01][rng.below(5)]
            case 5, 6, 7:  // damage the data block, then make its crc right so the parsers see it
                let block = layout.dataBlocks[0]
                for _ in 0...rng.below(4) {
                    let at = Int(block.offset) + rng.below(Int(block.size))
                    bytes[at] = rng.below(2) == 0 ? bytes[at] ^ (UInt8(1) << UInt8(rng.below(8))) : UInt8(truncatingIfNeeded: rng.next())
                }
                refreshTrailer(&bytes, block)
            case 8:  // same for the index block
                let at = Int(layout.index.offset) + rng.below(Int(layout.index.size))
                bytes[at] ^= UInt8(1) << UInt8(rng.below(8))
                refreshTrailer(&bytes, layout.index)
            default:  // damage the footer handles (no crc guards them)
                bytes[bytes.count - TableFooter.size + rng.below(TableFooter.size - 8)] = UInt8(truncatingIfNeeded: rng.next())
            }
            do {
                let index = try BundleIndex.decode(bytes, file: name)
                // Whatever decodes can be encoded again (sorted unique keys) and decodes the same.
                let again = try BundleIndex.decode(index.encode(), file: name)
                if again != index { Issue.record("round \(round): re-encoded index differs") }
                outcomes["decoded", default: 0] += 1
            } catch {
                outcomes[error.kind.rawValue, default: 0] += 1
                if !error.description.contains(name) {
                    unnamed += 1
                    if unnamed < 5 { Issue.record("round \(round) (mutation \(kind)): error does not name the file: \(error)") }
                }
            }
        }
        #expect(outcomes.values.reduce(0, +) == 2_000)
        #expect(unnamed == 0)
        // The crc fix-ups let mutants reach the block and protobuf parsers, not just the crc check.
        #expect(outcomes["corrupt", default: 0] > 100, "\(outcomes)")
        #expect(outcomes["checksumMismatch", default: 0] > 100, "\(outcomes)")
    }
}

// MARK: - Helpers (this file only)

private typealias CraftedEntry = (key: [UInt8], value: [UInt8])

/// The kind of a `FormatError`, and the file and entry it names, for assertions.
private enum FormatErrorKind: String {
    case truncated, corrupt, checksumMismatch, unsupported, missing, io, unsafePath
}

extension FormatError {
    fileprivate var kind: FormatErrorKind {
        switch self {
        case .truncated: return .truncated
        case .corrupt: return .corrupt
        case .checksumMismatch: return .checksumMismatch
        case .unsupported: return .unsupported
        case .missing: return .missing
        case .io: return .io
        case .unsafePath: return .unsafePath
        }
    }

    fileprivate var entryName: String? {
        switch self {
        case let .corrupt(_, entry, _): return entry
        case let .checksumMismatch(_, entry, _, _): return entry
        default: return nil
        }
    }
}

/// The block handles of a table, read from its footer and index block.
private struct TableLayout {
    var dataBlocks: [BlockHandle]
    var metaindex: BlockHandle
    var index: BlockHandle

    init(_ bytes: [UInt8]) throws {
        var footer = ByteReader(bytes, from: bytes.count - TableFooter.size)
        metaindex = try BlockHandle.decode(&footer)
        index = try BlockHandle.decode(&footer)
        dataBlocks = try TableReader(bytes: bytes, file: "layout").dataBlocks
    }
}

/// Recomputes a block's trailer crc after its contents (or type byte) were changed:
/// trailer = type byte + masked crc32c(contents ‖ type) little-endian.
private func refreshTrailer(_ bytes: inout [UInt8], _ block: BlockHandle) {
    let start = Int(block.offset), end = Int(block.offset + block.size)
    let type = bytes[end]
    let masked = CRC32C.mask(CRC32C.extend(CRC32C.checksum(bytes[start..<end]), [type]))
    var trailer: [UInt8] = []
    ByteWriter.appendUInt32LE(masked, to: &trailer)
    bytes.replaceSubrange((end + 1)..<(end + 5), with: trailer)
}

/// A table file built by hand: each data block holds its entries in the order given (no
/// ordering check, unlike `TableBuilder`), then the empty metaindex, the index block (one
/// entry per data block, keyed by `indexKeys` or by 0xff, above every test key) and the footer.
private func assembleTable(blocks: [[CraftedEntry]], indexKeys: [[UInt8]]? = nil) -> [UInt8] {
    assembleTable(contents: blocks.map { entries in
        var block = BlockBuilder(restartInterval: 16)
        for entry in entries { block.add(key: entry.key, value: entry.value) }
        return block.finish()
    }, indexKeys: indexKeys)
}

/// The same from finished block contents (entries, restart array and count).
private func assembleTable(contents blocks: [[UInt8]], indexKeys: [[UInt8]]? = nil) -> [UInt8] {
    var out: [UInt8] = []
    func write(_ contents: [UInt8]) -> BlockHandle {
        let handle = BlockHandle(offset: UInt64(out.count), size: UInt64(contents.count))
        out += contents
        out.append(0)
        ByteWriter.appendUInt32LE(CRC32C.mask(CRC32C.extend(CRC32C.checksum(contents), [UInt8(0)])), to: &out)
        return handle
    }
    var index = BlockBuilder(restartInterval: 1)
    for (i, contents) in blocks.enumerated() {
        let handle = write(contents)
        index.add(key: indexKeys?[i] ?? [0xff], value: handle.encoded)
    }
    var meta = BlockBuilder(restartInterval: 16)
    let metaHandle = write(meta.finish())
    let indexHandle = write(index.finish())
    out += TableFooter(metaindex: metaHandle, index: indexHandle).encoded
    return out
}

extension BadInputTests {
    /// A two-entry index (header + one float) whose data block starts with the header entry.
    static func smallTable() -> [UInt8] {
        var builder = TableBuilder()
        builder.add(key: [], value: BundleHeader().encodedValue)
        builder.add(key: Array("a".utf8),
                    value: BundleEntry(key: Array("a".utf8), dtype: .float32, shape: [], size: 4, maskedCRC32C: 0).encodedValue)
        return builder.finish()
    }
}

/// xorshift64: deterministic, so a failing mutant can be replayed by its round number.
private struct BadInputRNG {
    var state: UInt64

    init(seed: UInt64) { state = seed == 0 ? 1 : seed }

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    /// A value in 0..<bound (bound > 0).
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

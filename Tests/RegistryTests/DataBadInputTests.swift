import Foundation
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// Damaged data shards, extents and shapes that the data files cannot back, absurd shard
/// counts and damaged string tensors: `BundleReader` and `StringTensor` answer with a typed
/// `FormatError` naming the data file and the entry, without reading or allocating what an
/// entry merely claims.
///
/// Real TensorFlow-written fixture bytes are damaged in memory or in a temporary copy; the
/// fixtures themselves are never written to. Helpers: `Support/BadInputSupport.swift`.
@Suite struct DataBadInputTests: BadInputSuite {
    // MARK: 4. Entry extent beyond its data file

    @Test func entryBeyondItsDataFileIsTruncated() throws {
        let original = try BundleIndex.decode(try fileBytes(Self.seedIndexPath), file: Self.seedIndexPath)
        let dataSize = Int64(try fileBytes(Self.seedDataPath).count)
        let target = try #require(original.entry(named: "hidden_layer_1/kernel"))
        for (what, offset) in [("one byte past the end", dataSize - target.size + 1), ("far past the end", dataSize + 1 << 40)] {
            try withTemporaryDirectory { tmp in
                var index = original
                let position = try #require(index.entries.firstIndex { $0.key == target.key })
                index.entries[position].offset = offset
                let prefix = tmp.path + "/variables"
                try FileSystem.write(index.encode(), to: prefix + ".index")
                try FileSystem.copyFile(from: Self.seedDataPath, to: prefix + ".data-00000-of-00001")

                let error = try #require(throws: FormatError.self, "\(what)") { try BundleReader(prefix: prefix) }
                guard case let .truncated(file, detail) = error else {
                    Issue.record("\(what): expected truncated, got \(error)")
                    return
                }
                #expect(file == prefix + ".data-00000-of-00001", "\(what): \(error)")
                #expect(detail.contains("'hidden_layer_1/kernel'"), "\(what): \(detail)")
                #expect(error.description.contains("variables.data-00000-of-00001"))
            }
        }
    }

    // MARK: 5. Flipped bit in a data shard

    @Test func flippedBitInDataShardIsChecksumMismatch() throws {
        try withTemporaryDirectory { tmp in
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
    }

    // MARK: 7. Absurd shapes

    /// A shape whose arithmetic fits but whose bytes (4 TiB) no file holds: the index is fine,
    /// the reader refuses it against the data file's real size instead of reading.
    @Test func hugeButConsistentShapeIsRefusedAtOpen() throws {
        try withTemporaryDirectory { tmp in
            let prefix = tmp.path + "/variables"
            let entry = BundleEntry(key: Array("terabytes".utf8), dtype: .float32, shape: [1 << 40], size: 1 << 42,
                                    maskedCRC32C: CRC32C.mask(0))
            try FileSystem.write(BundleIndex(header: BundleHeader(), entries: [entry]).encode(), to: prefix + ".index")
            try FileSystem.copyFile(from: Self.seedDataPath, to: prefix + ".data-00000-of-00001")
            let error = try #require(throws: FormatError.self) { try BundleReader(prefix: prefix) }
            #expect(error.kind == .truncated, "\(error)")
            #expect(error.description.contains(prefix + ".data-00000-of-00001") && error.description.contains("'terabytes'"))
        }
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
            try withTemporaryDirectory { tmp in
                let prefix = tmp.path + "/variables"
                var index = original
                index.header.numShards = shards
                try FileSystem.write(index.encode(), to: prefix + ".index")
                try FileSystem.copyFile(from: Self.seedDataPath, to: BundleReader.dataFileName(prefix: prefix, shard: 0, of: Int(shards)))
                let error = try #require(throws: FormatError.self, "\(shards) shards") { try BundleReader(prefix: prefix) }
                #expect(error.kind == .unsupported && error.description.contains(prefix + ".index"), "\(shards) shards: \(error)")
            }
        }

        // An allowed count with most shards absent: one shared stand-in, not a descriptor each
        // (with one per shard, a few thousand absent shards exhaust the process's descriptors).
        try withTemporaryDirectory { tmp in
            let prefix = tmp.path + "/variables"
            var index = original
            index.header.numShards = 1_000
            try FileSystem.write(index.encode(), to: prefix + ".index")
            try FileSystem.copyFile(from: Self.seedDataPath, to: BundleReader.dataFileName(prefix: prefix, shard: 0, of: 1_000))
            let reader = try BundleReader(prefix: prefix)
            #expect(reader.dataFilePaths.count == 1_000)
            let standIns = Set(try (1..<Int32(1_000)).map { ObjectIdentifier(try reader.dataFile(shard: $0)) })
            let last = try reader.dataFile(shard: 999)
            #expect(standIns.count == 1 && last.size == 0)
            let entry = try #require(reader.index.entry(named: "global_step"))
            #expect(throws: Never.self) { _ = try reader.read(entry) }
        }
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
        try withTemporaryDirectory { tmp in
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
    }
}

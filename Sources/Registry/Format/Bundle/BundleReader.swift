/// Reads a tensor bundle (`PREFIX.index` + `PREFIX.data-SSSSS-of-NNNNN`) from disk. At open
/// it checks every entry's extent against its data file's real size, so no later read can
/// be asked for bytes the files do not hold.
public final class BundleReader {
    public let prefix: String
    public let index: BundleIndex
    private let shards: [ReadableFile]

    /// `PREFIX.data-SSSSS-of-NNNNN`, TensorFlow's name for shard `shard` of `count`.
    public static func dataFileName(prefix: String, shard: Int, of count: Int) -> String {
        "\(prefix).data-\(String(shard).leftPadded(to: 5))-of-\(String(count).leftPadded(to: 5))"
    }

    public convenience init(prefix: String) throws(FormatError) {
        let indexFile = try ReadableFile(path: prefix + ".index")
        let index = try BundleIndex.decode(try indexFile.readAll(), file: indexFile.path)
        try self.init(prefix: prefix, index: index)
    }

    public init(prefix: String, index: BundleIndex) throws(FormatError) {
        self.prefix = prefix
        self.index = index
        let count = Int(index.header.numShards)
        let used = Set(index.entries.filter { $0.slices.isEmpty }.map { Int($0.shardID) })
        var shards: [ReadableFile] = []
        // One empty stand-in for every absent unused shard: descriptors stay at the files that exist.
        var absent: ReadableFile?
        for shard in 0..<count {
            let name = Self.dataFileName(prefix: prefix, shard: shard, of: count)
            do {
                shards.append(try ReadableFile(path: name))
            } catch .missing(let file, _) where used.contains(shard) {
                throw .missing(file: file, detail: "data shard \(shard) of \(count) named by \(prefix).index")
            } catch .missing {
                if absent == nil { absent = try ReadableFile(path: "/dev/null") }
                shards.append(absent!)
            }
        }
        self.shards = shards
        for entry in index.entries where entry.slices.isEmpty {
            let file = shards[Int(entry.shardID)]
            guard entry.offset + entry.size <= file.size else {
                throw .truncated(file: file.path, detail: "entry '\(entry.displayName)' needs bytes \(entry.offset)..<\(entry.offset + entry.size) "
                                 + "but the file has \(file.size)")
            }
        }
    }

    /// Paths of the data files, in shard order.
    public var dataFilePaths: [String] { shards.map(\.path) }

    public func dataFile(shard: Int32) -> ReadableFile { shards[Int(shard)] }

    /// The entry's stored bytes, after checking its crc32c.
    public func read(_ entry: BundleEntry) throws(FormatError) -> [UInt8] {
        let file = shards[Int(entry.shardID)]
        let bytes = try file.read(at: entry.offset, count: Int(entry.size))
        try Self.verify(entry, payload: bytes, file: file.path)
        return bytes
    }

    /// Streams the entry's stored bytes in pieces of at most `chunkSize`, verifying the crc32c
    /// at the end (strings and variants, whose crc is not over the stored bytes, are read whole
    /// and checked first). Memory stays at one chunk for numeric tensors of any size.
    public func stream(_ entry: BundleEntry, chunkSize: Int,
                       _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let file = shards[Int(entry.shardID)]
        if entry.dtype.elementSize == nil {
            let bytes = try read(entry)
            try bytes.withUnsafeBytes { raw in
                var start = 0
                repeat {
                    let end = min(start + chunkSize, raw.count)
                    try body(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                    start = end
                } while start < raw.count
            }
            return
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, min(chunkSize, Int(entry.size))), alignment: 16)
        defer { buffer.deallocate() }
        var crc: UInt32 = 0
        var done: Int64 = 0
        repeat {
            let count = Int(min(Int64(buffer.count), entry.size - done))
            let piece = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
            try file.read(at: entry.offset + done, into: piece)
            crc = CRC32C.extend(crc, UnsafeRawBufferPointer(piece))
            try body(UnsafeRawBufferPointer(piece))
            done += Int64(count)
        } while done < entry.size
        try Self.check(entry, crc: crc, file: file.path)
    }

    /// Checks the crc32c of an entry's bytes, read by whoever read them, against the index.
    public static func check(_ entry: BundleEntry, crc: UInt32, file: String) throws(FormatError) {
        guard crc == CRC32C.unmask(entry.maskedCRC32C) else {
            throw FormatError.checksumMismatch(file: file, entry: entry.displayName,
                                               expected: CRC32C.unmask(entry.maskedCRC32C), actual: crc)
        }
    }

    /// Checks a payload against its entry's crc32c, with each dtype's own crc rule.
    public static func verify(_ entry: BundleEntry, payload: [UInt8], file: String) throws(FormatError) {
        let name = entry.displayName
        let count = Int(entry.elementCount ?? 0)
        let actual: UInt32
        switch entry.dtype {
        case .string: actual = try StringTensor.entryCRC(payload, count: count, file: file, entry: name)
        case .variant: actual = try VariantTensor.entryCRC(payload, count: count, file: file, entry: name)
        default: actual = CRC32C.checksum(payload)
        }
        guard actual == CRC32C.unmask(entry.maskedCRC32C) else {
            throw .checksumMismatch(file: file, entry: name, expected: CRC32C.unmask(entry.maskedCRC32C), actual: actual)
        }
    }
}

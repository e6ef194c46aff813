/// Reads a tensor bundle (`PREFIX.index` + `PREFIX.data-SSSSS-of-NNNNN`) from disk. At open
/// it checks every entry's extent against its data file's real size, and the layout
/// (`BundleLayout`), so no later read can be asked for bytes the files do not hold. Data files
/// are opened when first read, one at a time: a bundle of 65,536 shards needs one descriptor.
public final class BundleReader {
    public let prefix: String
    public let index: BundleIndex
    /// A shard's size, nil when it does not exist; asked when first needed (a header may
    /// declare 65,536 shards, of which a read uses a few).
    private let sizeOf: (Int) -> Int64?
    private var sizes: [Int: Int64?] = [:]
    private let openShard: (Int) throws(FormatError) -> ReadableFile
    /// The data file opened last (imports read shard after shard).
    private var current: (shard: Int, file: ReadableFile)?
    /// One empty stand-in for every absent unused shard.
    private lazy var absent = ReadableFile.empty(path: "/dev/null")

    /// `PREFIX.data-SSSSS-of-NNNNN`, TensorFlow's name for shard `shard` of `count`.
    public static func dataFileName(prefix: String, shard: Int, of count: Int) -> String {
        "\(prefix).data-\(String(shard).leftPadded(to: 5))-of-\(String(count).leftPadded(to: 5))"
    }

    /// Opens the bundle at the path `prefix` (files named by the user).
    public convenience init(prefix: String) throws(FormatError) {
        let indexFile = try ReadableFile(path: prefix + ".index")
        let index = try BundleIndex.decode(try indexFile.readAll(), file: indexFile.path)
        try self.init(prefix: prefix, index: index)
    }

    public convenience init(prefix: String, index: BundleIndex) throws(FormatError) {
        let count = Int(index.header.numShards)
        try self.init(prefix: prefix, index: index, size: { FileSystem.size(of: Self.dataFileName(prefix: prefix, shard: $0, of: count)) }) {
            shard throws(FormatError) in try ReadableFile(path: Self.dataFileName(prefix: prefix, shard: shard, of: count))
        }
    }

    /// Opens the bundle under `prefix` (relative) of a scanned folder: every file is opened
    /// through the listing (`DirectoryListing.open`), and must be the file the scan found.
    package convenience init(prefix relative: String, in listing: DirectoryListing, root: String) throws(FormatError) {
        let index = try BundleIndex.decode(try listing.open(relative + ".index").readAll(), file: root + "/" + relative + ".index")
        let count = Int(index.header.numShards)
        try self.init(prefix: root + "/" + relative, index: index,
                      size: { listing.scanned[Self.dataFileName(prefix: relative, shard: $0, of: count)]?.size }) { shard throws(FormatError) in
            try listing.open(Self.dataFileName(prefix: relative, shard: shard, of: count))
        }
    }

    /// `size`: a shard's size, nil when it does not exist; `open` opens a shard that does.
    private init(prefix: String, index: BundleIndex, size: @escaping (Int) -> Int64?,
                 open: @escaping (Int) throws(FormatError) -> ReadableFile) throws(FormatError) {
        self.prefix = prefix
        self.index = index
        sizeOf = size
        openShard = open
        let count = Int(index.header.numShards)
        let used = Set(index.entries.filter { $0.slices.isEmpty }.map { Int($0.shardID) })
        for shard in used.sorted() where self.size(shard) == nil {
            throw .missing(file: Self.dataFileName(prefix: prefix, shard: shard, of: count), detail: "data shard \(shard) of \(count) named by \(prefix).index")
        }
        for entry in index.entries where entry.slices.isEmpty {
            let size = self.size(Int(entry.shardID)) ?? 0
            guard entry.offset + entry.size <= size else {
                throw .truncated(file: Self.dataFileName(prefix: prefix, shard: Int(entry.shardID), of: count),
                                 detail: "entry '\(entry.displayName)' needs bytes \(entry.offset)..<\(entry.offset + entry.size) but the file has \(size)")
            }
        }
        try BundleLayout.check(index.entries, file: prefix + ".index")
    }

    /// A shard's size (nil: absent), asked once.
    private func size(_ shard: Int) -> Int64? {
        if let known = sizes[shard] { return known }
        let size = sizeOf(shard)
        sizes[shard] = size
        return size
    }

    /// Paths of the data files, in shard order.
    public var dataFilePaths: [String] {
        let count = Int(index.header.numShards)
        return (0..<count).map { Self.dataFileName(prefix: prefix, shard: $0, of: count) }
    }

    /// A data file's size (0 for an absent shard), without opening it.
    public func dataFileSize(shard: Int32) -> Int64 { size(Int(shard)) ?? 0 }

    /// The data file of `shard`, opened on first use; the previous one is let go (the file
    /// stays open while a reader of it holds it).
    public func dataFile(shard: Int32) throws(FormatError) -> ReadableFile {
        let shard = Int(shard)
        guard size(shard) != nil else { return absent }
        if let current, current.shard == shard { return current.file }
        let file = try openShard(shard)
        current = (shard, file)
        return file
    }

    /// The entry's stored bytes, after checking its crc32c.
    public func read(_ entry: BundleEntry) throws(FormatError) -> [UInt8] {
        let file = try dataFile(shard: entry.shardID)
        let bytes = try file.read(at: entry.offset, count: Int(entry.size))
        try Self.verify(entry, payload: bytes, file: file.path)
        return bytes
    }

    /// Streams the entry's stored bytes in pieces of at most `chunkSize`, verifying the crc32c
    /// at the end (strings and variants, whose crc is not over the stored bytes, are read whole
    /// and checked first). Memory stays at one chunk for numeric tensors of any size.
    public func stream(_ entry: BundleEntry, chunkSize: Int,
                       _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let file = try dataFile(shard: entry.shardID)
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

/// Writes a tensor bundle the way TensorFlow's `BundleWriter` does: payloads appended to
/// their shard's data file in the order given, the index sorted by key at `finish()`.
/// Entries may also be placed at given offsets, which is how a bundle read from disk is
/// written back with the same layout.
public final class BundleWriter {
    public let prefix: String
    public var header: BundleHeader
    private var files: [WritableFile] = []
    private var entries: [[UInt8]: BundleEntry] = [:]
    private let replace: Bool

    /// Creates (or with `replace`, truncates) `PREFIX.data-*` for every shard.
    public init(prefix: String, header: BundleHeader = BundleHeader(), replace: Bool = false) throws(FormatError) {
        self.prefix = prefix
        self.header = header
        self.replace = replace
        let count = Int(header.numShards)
        for shard in 0..<count {
            files.append(try WritableFile(path: BundleReader.dataFileName(prefix: prefix, shard: shard, of: count), replace: replace))
        }
    }

    /// Appends a fixed-size tensor's raw little-endian bytes to `shard`.
    @discardableResult
    public func add(key: [UInt8], dtype: DType, shape: [Int64], bytes: [UInt8], shard: Int32 = 0) throws(FormatError) -> BundleEntry {
        try add(key: key, dtype: dtype, shape: shape, payload: bytes, maskedCRC32C: CRC32C.mask(CRC32C.checksum(bytes)), shard: shard)
    }

    /// Appends a string tensor.
    @discardableResult
    public func add(key: [UInt8], shape: [Int64], strings: [[UInt8]], shard: Int32 = 0) throws(FormatError) -> BundleEntry {
        let (payload, crc) = StringTensor.encode(strings)
        return try add(key: key, dtype: .string, shape: shape, payload: payload, maskedCRC32C: crc, shard: shard)
    }

    /// Writes a partitioned tensor: the full entry (no data) plus one entry per slice.
    public func addSliced(name: [UInt8], dtype: DType, shape: [Int64], slices: [(TensorSlice, [UInt8])], shard: Int32 = 0) throws(FormatError) {
        try record(BundleEntry(key: name, dtype: dtype, shape: shape, slices: slices.map(\.0)))
        for (slice, bytes) in slices {
            guard let sliceShape = slice.shape(in: shape) else {
                throw .corrupt(file: prefix, entry: TableReader.printable(name), detail: "slice \(slice) does not fit shape \(shape)")
            }
            try add(key: TensorSliceKey(name: name, slice: slice).encoded, dtype: dtype, shape: sliceShape, bytes: bytes, shard: shard)
        }
    }

    private func add(key: [UInt8], dtype: DType, shape: [Int64], payload: [UInt8], maskedCRC32C: UInt32, shard: Int32) throws(FormatError) -> BundleEntry {
        guard shard >= 0, Int(shard) < files.count else {
            throw .corrupt(file: prefix, entry: TableReader.printable(key), detail: "shard \(shard) outside 0..<\(files.count)")
        }
        let file = files[Int(shard)]
        let entry = BundleEntry(key: key, dtype: dtype, shape: shape, shardID: shard, offset: file.length,
                                size: Int64(payload.count), maskedCRC32C: maskedCRC32C)
        try entry.validate(header: header, file: prefix + ".index")
        try record(entry)
        try file.append(payload)
        return entry
    }

    /// Places a payload at the entry's own shard and offset (the entry is recorded as is).
    public func place(_ entry: BundleEntry, payload: UnsafeRawBufferPointer, at offsetInEntry: Int64 = 0) throws(FormatError) {
        try dataFile(for: entry).write(payload, at: entry.offset + offsetInEntry)
    }

    /// The data file that holds `entry`'s bytes, for writers that place them themselves (from
    /// several threads at once: `WritableFile` takes positional writes).
    public func dataFile(for entry: BundleEntry) throws(FormatError) -> WritableFile {
        guard entry.shardID >= 0, Int(entry.shardID) < files.count else {
            throw .corrupt(file: prefix, entry: entry.displayName, detail: "shard \(entry.shardID) outside 0..<\(files.count)")
        }
        return files[Int(entry.shardID)]
    }

    /// Records an entry without writing data (its bytes are placed separately, or it has none).
    public func record(_ entry: BundleEntry) throws(FormatError) {
        guard !entry.key.isEmpty else {
            throw .corrupt(file: prefix + ".index", entry: "", detail: "the empty key is reserved for the header")
        }
        guard entries[entry.key] == nil else {
            throw .corrupt(file: prefix + ".index", entry: entry.displayName, detail: "duplicate key")
        }
        entries[entry.key] = entry
    }

    /// Extends a shard's data file to `size` bytes (for a layout whose last extents are empty).
    public func extendShard(_ shard: Int32, to size: Int64) throws(FormatError) {
        try files[Int(shard)].extend(to: size)
    }

    /// Writes `PREFIX.index`, optionally fsyncs everything, and closes the files.
    @discardableResult
    public func finish(sync: Bool = false) throws(FormatError) -> BundleIndex {
        let sorted = entries.values.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        let index = BundleIndex(header: header, entries: sorted)
        let indexFile = try WritableFile(path: prefix + ".index", replace: replace)
        try indexFile.append(index.encode())
        for file in files + [indexFile] {
            if sync { try file.sync() }
            try file.close()
        }
        return index
    }
}

/// Writes a tensor bundle the way TensorFlow's `BundleWriter` does: payloads appended to
/// their shard's data file in the order given, the index sorted by key at `finish()`.
/// Entries may also be placed at given offsets, which is how a bundle read from disk is
/// written back with the same layout. A data file is created when first written, and a writer
/// that completes shard after shard (`finishShard`) holds one open at a time, whatever the
/// header's count (up to 65,536); `finish()` creates the shards nothing was written to.
public final class BundleWriter {
    public let prefix: String
    public var header: BundleHeader
    /// The data files created and not yet finished, by shard.
    private var files: [Int32: WritableFile] = [:]
    private var finished: Set<Int32> = []
    private var entries: [[UInt8]: BundleEntry] = [:]
    private let replace: Bool

    /// A writer of `PREFIX.data-*` (created, or with `replace` truncated, when first written)
    /// and `PREFIX.index`.
    public init(prefix: String, header: BundleHeader = BundleHeader(), replace: Bool = false) throws(FormatError) {
        self.prefix = prefix
        self.header = header
        self.replace = replace
    }

    /// The open data file of `shard`, created on first use.
    private func file(_ shard: Int32) throws(FormatError) -> WritableFile {
        guard shard >= 0, shard < header.numShards else {
            throw .corrupt(file: prefix, entry: nil, detail: "shard \(shard) outside 0..<\(header.numShards)")
        }
        if let file = files[shard] { return file }
        guard !finished.contains(shard) else {
            throw .corrupt(file: prefix, entry: nil, detail: "shard \(shard) is already complete")
        }
        let file = try WritableFile(path: BundleReader.dataFileName(prefix: prefix, shard: Int(shard), of: Int(header.numShards)), replace: replace)
        files[shard] = file
        return file
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
        let file = try file(shard)
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
        try file(entry.shardID)
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
        try file(shard).extend(to: size)
    }

    /// Completes a shard's data file: extended to `size` bytes, fsynced (with `sync`, when it
    /// holds any: an empty file's name is made durable by its folder's fsync) and closed.
    public func finishShard(_ shard: Int32, size: Int64, sync: Bool) throws(FormatError) {
        let file = try file(shard)
        try file.extend(to: size)
        if sync && file.length > 0 { try file.sync() }
        try file.close()
        files[shard] = nil
        finished.insert(shard)
    }

    /// Completes every shard not yet finished (creating those nothing was written to), writes
    /// `PREFIX.index`, optionally fsyncs, and closes the files.
    @discardableResult
    public func finish(sync: Bool = false) throws(FormatError) -> BundleIndex {
        for shard in 0..<header.numShards where !finished.contains(shard) {
            let length = try file(shard).length
            try finishShard(shard, size: length, sync: sync)
        }
        let sorted = entries.values.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        let index = BundleIndex(header: header, entries: sorted)
        let indexFile = try WritableFile(path: prefix + ".index", replace: replace)
        try indexFile.append(index.encode())
        if sync { try indexFile.sync() }
        try indexFile.close()
        return index
    }
}

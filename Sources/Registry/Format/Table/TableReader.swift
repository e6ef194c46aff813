/// Reads a LevelDB-format table held in memory and checks everything it relies on: the
/// footer magic, every handle against the file size, every block's masked crc32c, the
/// restart array, prefix lengths, and that keys strictly increase across the whole table.
struct TableReader {
    struct Entry: Equatable {
        var key: [UInt8]
        var value: [UInt8]
    }

    let file: String
    let bytes: [UInt8]
    /// The most the keys of a block may add up to, as a multiple of the block's size.
    static let maxKeyExpansion = 64
    private(set) var entries: [Entry] = []
    /// The data blocks as found, for tools that show the layout.
    private(set) var dataBlocks: [BlockHandle] = []

    init(bytes: [UInt8], file: String) throws(FormatError) {
        self.file = file
        self.bytes = bytes
        guard bytes.count >= TableFooter.size else {
            throw .truncated(file: file, detail: "\(bytes.count) bytes, shorter than the 48-byte table footer")
        }
        let footerStart = bytes.count - TableFooter.size
        var magicReader = ByteReader(bytes, from: bytes.count - 8)
        let low = UInt64(try wrap(magicReader.readUInt32LE(), "footer"))
        let high = UInt64(try wrap(magicReader.readUInt32LE(), "footer"))
        guard high << 32 | low == TableFooter.magic else {
            throw .corrupt(file: file, entry: nil, detail: "bad table magic at the end of the file; not a tensor bundle index")
        }
        var footer = ByteReader(bytes, from: footerStart, to: bytes.count - 8)
        let metaindex = try wrap(BlockHandle.decode(&footer), "footer metaindex handle")
        let index = try wrap(BlockHandle.decode(&footer), "footer index handle")
        _ = try readBlock(metaindex, what: "metaindex block", limit: UInt64(footerStart))
        let indexContents = try readBlock(index, what: "index block", limit: UInt64(footerStart))
        let indexEntries = try decodeBlock(indexContents, what: "index block")

        var previousKey: [UInt8]?
        var previousEnd: UInt64 = 0
        for indexEntry in indexEntries {
            var handleReader = ByteReader(indexEntry.value)
            let handle = try wrap(BlockHandle.decode(&handleReader), "index entry handle")
            guard handle.offset >= previousEnd else {
                throw .corrupt(file: file, entry: nil, detail: "data blocks overlap or are out of order at offset \(handle.offset)")
            }
            previousEnd = handle.offset &+ handle.size
            let contents = try readBlock(handle, what: "data block at offset \(handle.offset)", limit: metaindex.offset)
            let blockEntries = try decodeBlock(contents, what: "data block at offset \(handle.offset)")
            for entry in blockEntries {
                if let previous = previousKey, !previous.lexicographicallyPrecedes(entry.key) {
                    let problem = previous == entry.key ? "duplicate key" : "keys out of order"
                    throw .corrupt(file: file, entry: Self.printable(entry.key), detail: problem)
                }
                // The index key of a block is an upper bound of the keys in it.
                if indexEntry.key.lexicographicallyPrecedes(entry.key) {
                    throw .corrupt(file: file, entry: Self.printable(entry.key), detail: "key lies beyond its block's index key")
                }
                previousKey = entry.key
            }
            entries += blockEntries
            dataBlocks.append(handle)
        }
    }

    /// Block contents after checking the handle lies inside `limit` and the trailer's crc.
    private func readBlock(_ handle: BlockHandle, what: String, limit: UInt64) throws(FormatError) -> ArraySlice<UInt8> {
        let (end, overflow) = handle.offset.addingReportingOverflow(handle.size)
        guard !overflow, end <= limit, limit - end >= UInt64(BlockHandle.trailerSize) else {
            throw .corrupt(file: file, entry: nil,
                           detail: "\(what) (offset \(handle.offset), size \(handle.size)) extends past the end of its region (\(limit) bytes)")
        }
        let start = Int(handle.offset), stop = Int(end)
        let type = bytes[stop]
        var stored = ByteReader(bytes, from: stop + 1)
        let maskedCRC = try wrap(stored.readUInt32LE(), what)
        let actual = bytes.withUnsafeBytes { raw in
            CRC32C.extend(0, UnsafeRawBufferPointer(rebasing: raw[start...stop]))
        }
        guard CRC32C.unmask(maskedCRC) == actual else {
            throw .checksumMismatch(file: file, entry: what, expected: CRC32C.unmask(maskedCRC), actual: actual)
        }
        switch type {
        case 0: return bytes[start..<stop]
        case 1: throw .unsupported(file: file, detail: "\(what) is snappy-compressed; TensorFlow never writes that, re-save the checkpoint with TensorFlow")
        default: throw .corrupt(file: file, entry: nil, detail: "\(what) has unknown compression type \(type)")
        }
    }

    /// Decodes a block: entries up to the restart array, each key rebuilt from its prefix.
    private func decodeBlock(_ contents: ArraySlice<UInt8>, what: String) throws(FormatError) -> [Entry] {
        let start = contents.startIndex, end = contents.endIndex
        guard end - start >= 4 else { throw .corrupt(file: file, entry: nil, detail: "\(what) is shorter than its restart count") }
        var countReader = ByteReader(bytes, from: end - 4)
        let restartCount = Int(try wrap(countReader.readUInt32LE(), what))
        guard restartCount >= 1, restartCount <= (end - start - 4) / 4 else {
            throw .corrupt(file: file, entry: nil, detail: "\(what) claims \(restartCount) restart points, which do not fit in \(end - start) bytes")
        }
        let restartsStart = end - 4 - 4 * restartCount
        var restartReader = ByteReader(bytes, from: restartsStart, to: end - 4)
        var restarts: [Int] = []
        for _ in 0..<restartCount {
            let offset = Int(try wrap(restartReader.readUInt32LE(), what))
            let minimum = restarts.last.map { $0 + 1 } ?? 0
            guard offset >= minimum, offset < max(restartsStart - start, 1) else {
                throw .corrupt(file: file, entry: nil, detail: "\(what) has a restart offset \(offset) out of range or out of order")
            }
            restarts.append(offset)
        }
        var entries: [Entry] = []
        var reader = ByteReader(bytes, from: start, to: restartsStart)
        var key: [UInt8] = []
        var keyBytes = 0
        var nextRestart = 0
        while !reader.isAtEnd {
            let entryOffset = reader.position - start
            let atRestart = nextRestart < restarts.count && restarts[nextRestart] == entryOffset
            if atRestart { nextRestart += 1 }
            let shared = Int(try wrap(reader.readVarint32(), what))
            let nonShared = Int(try wrap(reader.readVarint32(), what))
            let valueLength = Int(try wrap(reader.readVarint32(), what))
            guard shared <= key.count, !(atRestart && shared != 0) else {
                throw .corrupt(file: file, entry: nil, detail: "\(what): an entry shares \(shared) bytes with a \(key.count)-byte previous key")
            }
            let suffix = try wrap(reader.readSlice(nonShared), what)
            let value = try wrap(reader.readSlice(valueLength), what)
            key.removeSubrange(shared...)
            key += bytes[suffix]
            // Each entry may share its whole predecessor, so a few stored bytes can stand for a long
            // key. TF's restart interval (16) bounds the expansion at 16-fold; refuse far more than
            // that before the keys are rebuilt (quadratic time and memory otherwise).
            keyBytes += key.count
            guard keyBytes / Self.maxKeyExpansion <= end - start else {
                throw .corrupt(file: file, entry: nil,
                               detail: "\(what): prefix-compressed keys expand to more than \(Self.maxKeyExpansion) times the block's size")
            }
            entries.append(Entry(key: key, value: Array(bytes[value])))
        }
        guard nextRestart == restarts.count || (entries.isEmpty && restarts == [0]) else {
            throw .corrupt(file: file, entry: nil, detail: "\(what): a restart point does not start an entry")
        }
        return entries
    }

    private func wrap<T>(_ body: @autoclosure () throws(ByteReader.Failure) -> T, _ what: String) throws(FormatError) -> T {
        do {
            return try body()
        } catch .truncated {
            throw FormatError.truncated(file: file, detail: "\(what) ends early")
        } catch {
            throw FormatError.corrupt(file: file, entry: nil, detail: "\(what) holds an overlong varint")
        }
    }

    /// A key as text where it is UTF-8, else as hex: error messages never print raw binary.
    static func printable(_ key: [UInt8]) -> String {
        if let text = String(validating: key, as: UTF8.self), !text.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            return text
        }
        return "0x" + key.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

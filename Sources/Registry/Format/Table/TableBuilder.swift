/// Writes a LevelDB-format sorted table the way TensorFlow writes `*.index`: 256 KiB blocks,
/// restart interval 16, no compression, an empty metaindex, and TF's extra rule that an
/// entry of at least two block sizes is flushed into a block of its own.
struct TableBuilder {
    static let defaultBlockSize = 256 * 1024

    let blockSize: Int
    private(set) var output: [UInt8] = []
    private var dataBlock = BlockBuilder(restartInterval: 16)
    private var indexBlock = BlockBuilder(restartInterval: 1)
    private var pendingHandle: BlockHandle?
    private var lastKey: [UInt8] = []
    private var entryCount = 0

    init(blockSize: Int = TableBuilder.defaultBlockSize) {
        self.blockSize = blockSize
    }

    /// Keys must arrive in strictly increasing bytewise order; the caller guarantees it.
    mutating func add(key: [UInt8], value: [UInt8]) {
        precondition(entryCount == 0 || key.lexicographicallyPrecedes(lastKey) == false && key != lastKey,
                     "table keys must be strictly increasing")
        if entryCount > 0 && key.count + value.count >= 2 * blockSize {
            flush()
        }
        if let handle = pendingHandle {
            indexBlock.add(key: Self.shortestSeparator(lastKey, key), value: handle.encoded)
            pendingHandle = nil
        }
        lastKey = key
        entryCount += 1
        dataBlock.add(key: key, value: value)
        if dataBlock.sizeEstimate >= blockSize {
            flush()
        }
    }

    /// The complete file: remaining data, the empty metaindex, the index block, the footer.
    mutating func finish() -> [UInt8] {
        flush()
        var metaBlock = BlockBuilder(restartInterval: 16)
        let metaHandle = writeBlock(metaBlock.finish())
        if let handle = pendingHandle {
            indexBlock.add(key: Self.shortSuccessor(lastKey), value: handle.encoded)
            pendingHandle = nil
        }
        let indexHandle = writeBlock(indexBlock.finish())
        output += TableFooter(metaindex: metaHandle, index: indexHandle).encoded
        return output
    }

    private mutating func flush() {
        guard !dataBlock.isEmpty else { return }
        pendingHandle = writeBlock(dataBlock.finish())
    }

    private mutating func writeBlock(_ contents: [UInt8]) -> BlockHandle {
        let handle = BlockHandle(offset: UInt64(output.count), size: UInt64(contents.count))
        output += contents
        let type: UInt8 = 0
        var crc = CRC32C.checksum(contents)
        crc = CRC32C.extend(crc, CollectionOfOne(type))
        output.append(type)
        ByteWriter.appendUInt32LE(CRC32C.mask(crc), to: &output)
        return handle
    }

    /// LevelDB's FindShortestSeparator: a short key k with start <= k < limit.
    static func shortestSeparator(_ start: [UInt8], _ limit: [UInt8]) -> [UInt8] {
        let common = min(start.count, limit.count)
        var i = 0
        while i < common && start[i] == limit[i] { i += 1 }
        if i >= common { return start }
        let byte = start[i]
        if byte < 0xff && byte + 1 < limit[i] {
            return Array(start[...i].dropLast()) + [byte + 1]
        }
        return start
    }

    /// LevelDB's FindShortSuccessor: a short key k >= key.
    static func shortSuccessor(_ key: [UInt8]) -> [UInt8] {
        for (i, byte) in key.enumerated() where byte != 0xff {
            return Array(key[..<i]) + [byte + 1]
        }
        return key
    }
}

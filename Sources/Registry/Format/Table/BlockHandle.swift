/// Where a block's contents sit in a table file (its 5-byte trailer follows, uncounted).
struct BlockHandle: Equatable, Sendable {
    var offset: UInt64
    var size: UInt64

    /// Trailer after every block: compression type byte + masked crc32c.
    static let trailerSize = 5
    /// Two varint64s at most.
    static let maxEncodedLength = 20

    func encode(to out: inout [UInt8]) {
        ByteWriter.appendVarint(offset, to: &out)
        ByteWriter.appendVarint(size, to: &out)
    }

    var encoded: [UInt8] {
        var out: [UInt8] = []
        encode(to: &out)
        return out
    }

    static func decode(_ reader: inout ByteReader) throws(ByteReader.Failure) -> BlockHandle {
        let offset = try reader.readVarint()
        let size = try reader.readVarint()
        return BlockHandle(offset: offset, size: size)
    }
}

/// The 48-byte footer that ends every table: two handles, padding, LevelDB's magic.
struct TableFooter: Equatable, Sendable {
    var metaindex: BlockHandle
    var index: BlockHandle

    static let size = 48
    static let magic: UInt64 = 0xdb47_7524_8b80_fb57

    var encoded: [UInt8] {
        var out: [UInt8] = []
        metaindex.encode(to: &out)
        index.encode(to: &out)
        out += [UInt8](repeating: 0, count: 2 * BlockHandle.maxEncodedLength - out.count)
        ByteWriter.appendUInt64LE(Self.magic, to: &out)
        return out
    }
}

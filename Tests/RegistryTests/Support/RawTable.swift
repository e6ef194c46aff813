/// A LevelDB table taken apart from the spec's description alone (§3.2–3.5), to look at
/// block boundaries without going through `TableReader`.
struct RawTable {
    struct Entry { var key: [UInt8]; var value: [UInt8] }
    struct Block {
        var offset: Int
        var size: Int
        var entries: [Entry]
        var restarts: [Int]
    }
    struct Malformed: Error { var what: String }

    var dataBlocks: [Block] = []
    var indexBlock: Block
    var metaindex: Block

    init(_ bytes: [UInt8]) throws {
        guard bytes.count >= 48, Array(bytes.suffix(8)) == [0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb] else {
            throw Malformed(what: "footer")
        }
        var position = bytes.count - 48
        func varint() throws -> Int {
            var value = 0, shift = 0
            while true {
                guard position < bytes.count, shift < 64 else { throw Malformed(what: "varint") }
                let byte = bytes[position]
                position += 1
                value |= Int(byte & 0x7f) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }
        let metaOffset = try varint(), metaSize = try varint()
        let indexOffset = try varint(), indexSize = try varint()
        metaindex = try Self.block(bytes, offset: metaOffset, size: metaSize)
        indexBlock = try Self.block(bytes, offset: indexOffset, size: indexSize)
        for entry in indexBlock.entries {
            var handle = entry.value[...]
            func handleVarint() throws -> Int {
                var value = 0, shift = 0
                while let byte = handle.popFirst() {
                    value |= Int(byte & 0x7f) << shift
                    if byte < 0x80 { return value }
                    shift += 7
                }
                throw Malformed(what: "handle")
            }
            let offset = try handleVarint(), size = try handleVarint()
            dataBlocks.append(try Self.block(bytes, offset: offset, size: size))
        }
    }

    static func block(_ bytes: [UInt8], offset: Int, size: Int) throws -> Block {
        guard offset >= 0, size >= 4, offset + size + 5 <= bytes.count else { throw Malformed(what: "block bounds") }
        func u32(_ at: Int) -> Int {
            Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
        }
        let end = offset + size
        let count = u32(end - 4)
        let restartsStart = end - 4 - 4 * count
        guard count >= 1, restartsStart >= offset else { throw Malformed(what: "restart count") }
        let restarts = (0..<count).map { u32(restartsStart + 4 * $0) }
        var entries: [Entry] = []
        var position = offset
        var key: [UInt8] = []
        func varint() throws -> Int {
            var value = 0, shift = 0
            while true {
                guard position < restartsStart else { throw Malformed(what: "entry varint") }
                let byte = bytes[position]
                position += 1
                value |= Int(byte & 0x7f) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }
        while position < restartsStart {
            let shared = try varint(), nonShared = try varint(), valueLength = try varint()
            guard shared <= key.count, position + nonShared + valueLength <= restartsStart else { throw Malformed(what: "entry") }
            key = Array(key[..<shared]) + bytes[position..<(position + nonShared)]
            position += nonShared
            entries.append(Entry(key: key, value: Array(bytes[position..<(position + valueLength)])))
            position += valueLength
        }
        return Block(offset: offset, size: size, entries: entries, restarts: restarts)
    }

    /// Index keys must separate the blocks: last key of block i <= index key i < first key of
    /// block i + 1; blocks must tile the data region in order, each followed by its trailer.
    var problems: [String] {
        var problems: [String] = []
        var expectedOffset = 0
        for (i, block) in dataBlocks.enumerated() {
            if block.offset != expectedOffset { problems.append("block \(i) at \(block.offset), expected \(expectedOffset)") }
            expectedOffset = block.offset + block.size + 5
            let indexKey = indexBlock.entries[i].key
            if let last = block.entries.last?.key, indexKey.lexicographicallyPrecedes(last) {
                problems.append("index key \(i) below the block's last key")
            }
            if i + 1 < dataBlocks.count, let next = dataBlocks[i + 1].entries.first?.key, !indexKey.lexicographicallyPrecedes(next) {
                problems.append("index key \(i) not below the next block's first key")
            }
            if block.entries.isEmpty { problems.append("block \(i) is empty") }
        }
        if metaindex.offset != expectedOffset { problems.append("metaindex at \(metaindex.offset), expected \(expectedOffset)") }
        return problems
    }
}

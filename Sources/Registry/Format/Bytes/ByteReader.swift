/// A bounds-checked cursor over bytes: every read either succeeds inside `end` or throws,
/// so a size or offset taken from a file can never read past what the file holds.
struct ByteReader {
    enum Failure: Error, Equatable {
        case truncated(needed: Int, available: Int)
        case varintOverflow
    }

    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.position = start
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position >= end }

    mutating func readByte() throws(Failure) -> UInt8 {
        guard position < end else { throw .truncated(needed: 1, available: 0) }
        defer { position += 1 }
        return bytes[position]
    }

    /// A varint of at most `maxBytes` bytes (5 for varint32, 10 for varint64) whose value
    /// fits `bits` bits; anything longer or larger is an overflow, not a silent wrap.
    mutating func readVarint(bits: Int = 64) throws(Failure) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let maxBytes = (bits + 6) / 7
        for index in 0..<maxBytes {
            let byte = try readByte()
            let payload = UInt64(byte & 0x7f)
            if index == maxBytes - 1 {
                // The last permitted byte may only carry the bits that are left.
                let leftover = bits - 7 * (maxBytes - 1)
                if byte & 0x80 != 0 || payload >> UInt64(leftover) != 0 { throw .varintOverflow }
            }
            result |= payload << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw .varintOverflow
    }

    mutating func readVarint32() throws(Failure) -> UInt32 {
        UInt32(try readVarint(bits: 32))
    }

    mutating func readUInt32LE() throws(Failure) -> UInt32 {
        let slice = try readSlice(4)
        return UInt32(bytes[slice.lowerBound]) | UInt32(bytes[slice.lowerBound + 1]) << 8
            | UInt32(bytes[slice.lowerBound + 2]) << 16 | UInt32(bytes[slice.lowerBound + 3]) << 24
    }

    /// The range of the next `count` bytes, consumed.
    mutating func readSlice(_ count: Int) throws(Failure) -> Range<Int> {
        guard count >= 0, count <= remaining else { throw .truncated(needed: count, available: remaining) }
        defer { position += count }
        return position..<(position + count)
    }

    mutating func readBytes(_ count: Int) throws(Failure) -> [UInt8] {
        Array(bytes[try readSlice(count)])
    }
}

/// The binary key under which one slice of a partitioned tensor is stored (TensorFlow's
/// `EncodeTensorNameSlice`, built from OrderedCode): 0, the name, the rank, then a
/// (start, length) pair per dimension, with length -1 for a whole dimension.
public struct TensorSliceKey: Hashable, Sendable, CustomStringConvertible {
    public var name: [UInt8]
    public var slice: TensorSlice

    public init(name: [UInt8], slice: TensorSlice) {
        self.name = name
        self.slice = slice
    }

    public var description: String {
        "\(TableReader.printable(name))[\(slice)]"
    }

    public var encoded: [UInt8] {
        var out: [UInt8] = []
        OrderedCode.appendNumIncreasing(0, to: &out)
        OrderedCode.appendString(name, to: &out)
        OrderedCode.appendNumIncreasing(UInt64(slice.extents.count), to: &out)
        for extent in slice.extents {
            OrderedCode.appendSignedNumIncreasing(extent.start, to: &out)
            OrderedCode.appendSignedNumIncreasing(extent.length ?? -1, to: &out)
        }
        return out
    }

    /// Parses a slice key; nil for an ordinary tensor name or anything malformed.
    public static func decode(_ key: [UInt8]) -> TensorSliceKey? {
        var reader = OrderedCode.Reader(bytes: key)
        guard key.first == 0, reader.readNumIncreasing() == 0, let name = reader.readString(),
              let rank = reader.readNumIncreasing(), rank <= 64 else { return nil }
        var extents: [TensorSlice.Extent] = []
        for _ in 0..<rank {
            guard let start = reader.readSignedNumIncreasing(), let length = reader.readSignedNumIncreasing() else { return nil }
            extents.append(.init(start: start, length: length == -1 ? nil : length))
        }
        guard reader.isAtEnd else { return nil }
        return TensorSliceKey(name: name, slice: TensorSlice(extents: extents))
    }
}

/// The parts of TensorFlow's OrderedCode that slice keys use.
enum OrderedCode {
    static func appendNumIncreasing(_ value: UInt64, to out: inout [UInt8]) {
        var bytes: [UInt8] = []
        var v = value
        while v > 0 { bytes.insert(UInt8(v & 0xff), at: 0); v >>= 8 }
        out.append(UInt8(bytes.count))
        out += bytes
    }

    static func appendString(_ value: [UInt8], to out: inout [UInt8]) {
        for byte in value {
            switch byte {
            case 0x00: out += [0x00, 0xff]
            case 0xff: out += [0xff, 0x00]
            default: out.append(byte)
            }
        }
        out += [0x00, 0x01]
    }

    /// Header bits per encoded length (1...10 bytes): the leading ones say how long it is.
    private static let headerBits: [(UInt8, UInt8)] = [
        (0, 0), (0x80, 0), (0xc0, 0), (0xe0, 0), (0xf0, 0), (0xf8, 0), (0xfc, 0), (0xfe, 0), (0xff, 0), (0xff, 0x80), (0xff, 0xc0),
    ]

    static func appendSignedNumIncreasing(_ value: Int64, to out: inout [UInt8]) {
        let magnitude = UInt64(bitPattern: value < 0 ? ~value : value)
        if magnitude < 64 {
            out.append(headerBits[1].0 ^ UInt8(truncatingIfNeeded: value))
            return
        }
        let significantBits = 64 - magnitude.leadingZeroBitCount
        let length = significantBits / 7 + 1
        var buffer = [UInt8](repeating: value < 0 ? 0xff : 0x00, count: 10)
        for i in 0..<8 { buffer[2 + i] = UInt8(truncatingIfNeeded: UInt64(bitPattern: value) >> UInt64(56 - 8 * i)) }
        var encoded = Array(buffer[(10 - length)...])
        encoded[0] ^= headerBits[length].0
        encoded[1] ^= headerBits[length].1
        out += encoded
    }

    struct Reader {
        let bytes: [UInt8]
        var position = 0

        var isAtEnd: Bool { position == bytes.count }

        mutating func readNumIncreasing() -> UInt64? {
            guard position < bytes.count else { return nil }
            let length = Int(bytes[position])
            guard length <= 8, position + 1 + length <= bytes.count else { return nil }
            var value: UInt64 = 0
            for byte in bytes[(position + 1)..<(position + 1 + length)] { value = value << 8 | UInt64(byte) }
            position += 1 + length
            return value
        }

        mutating func readString() -> [UInt8]? {
            var out: [UInt8] = []
            while position < bytes.count {
                let byte = bytes[position]
                if byte == 0x00 || byte == 0xff {
                    guard position + 1 < bytes.count else { return nil }
                    let next = bytes[position + 1]
                    position += 2
                    switch (byte, next) {
                    case (0x00, 0x01): return out
                    case (0x00, 0xff): out.append(0x00)
                    case (0xff, 0x00): out.append(0xff)
                    default: return nil
                    }
                } else {
                    out.append(byte)
                    position += 1
                }
            }
            return nil
        }

        mutating func readSignedNumIncreasing() -> Int64? {
            guard position < bytes.count else { return nil }
            let first = bytes[position]
            let negative = first & 0x80 == 0
            // The length is the count of leading bits equal to "positive" (1) in the header.
            let header = negative ? ~first : first
            var length = header.leadingZeroBitCount == 0 ? (~header).leadingZeroBitCount : 0
            if length == 8 {
                guard position + 1 < bytes.count else { return nil }
                let second = negative ? ~bytes[position + 1] : bytes[position + 1]
                length += (~second).leadingZeroBitCount
                // As TF's ReadSignedNumIncreasing: a 10-byte header is exactly ff c0 and the next
                // byte is below 0x80, else the value needs more than 64 bits (or len > 10).
                if length == 10 {
                    guard second == 0xc0, position + 2 < bytes.count else { return nil }
                    let third = negative ? ~bytes[position + 2] : bytes[position + 2]
                    guard third < 0x80 else { return nil }
                }
            }
            guard length >= 1, length <= 10, position + length <= bytes.count else { return nil }
            var buffer = [UInt8](repeating: negative ? 0xff : 0x00, count: 10)
            for i in 0..<length { buffer[10 - length + i] = bytes[position + i] }
            buffer[10 - length] ^= headerBits[length].0
            if length >= 2 { buffer[10 - length + 1] ^= headerBits[length].1 }
            var value: UInt64 = 0
            for byte in buffer[2...] { value = value << 8 | UInt64(byte) }
            position += length
            return Int64(bitPattern: value)
        }
    }
}

/// Appends the little-endian and varint encodings the TensorFlow formats use.
package enum ByteWriter {
    package static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    package static func appendUInt32LE(_ value: UInt32, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: value))
        out.append(UInt8(truncatingIfNeeded: value >> 8))
        out.append(UInt8(truncatingIfNeeded: value >> 16))
        out.append(UInt8(truncatingIfNeeded: value >> 24))
    }

    package static func appendUInt64LE(_ value: UInt64, to out: inout [UInt8]) {
        appendUInt32LE(UInt32(truncatingIfNeeded: value), to: &out)
        appendUInt32LE(UInt32(truncatingIfNeeded: value >> 32), to: &out)
    }

    package static func varintSize(_ value: UInt64) -> Int {
        var v = value
        var n = 1
        while v >= 0x80 { v >>= 7; n += 1 }
        return n
    }
}

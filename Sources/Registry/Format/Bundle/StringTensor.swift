/// DT_STRING payloads in a bundle: varint64 lengths, a 4-byte masked crc32c of the lengths
/// (taken over each length as uint32 LE, uint64 past 4 GiB), then the element bytes.
public enum StringTensor {
    /// The payload bytes and the masked entry crc32c TensorFlow stores for `elements`.
    public static func encode(_ elements: [[UInt8]]) -> (payload: [UInt8], maskedCRC32C: UInt32) {
        var payload: [UInt8] = []
        var lengthCRC: UInt32 = 0
        for element in elements {
            ByteWriter.appendVarint(UInt64(element.count), to: &payload)
            lengthCRC = extendWithLength(lengthCRC, UInt64(element.count))
        }
        let lengthChecksumOffset = payload.count
        ByteWriter.appendUInt32LE(CRC32C.mask(lengthCRC), to: &payload)
        var entryCRC = lengthCRC
        entryCRC = CRC32C.extend(entryCRC, payload[lengthChecksumOffset...])
        for element in elements {
            payload += element
            entryCRC = CRC32C.extend(entryCRC, element)
        }
        return (payload, CRC32C.mask(entryCRC))
    }

    /// Splits a payload of `count` elements back into them, checking the lengths' crc and
    /// that the lengths account for every byte.
    public static func decode(_ payload: [UInt8], count: Int, file: String, entry: String) throws(FormatError) -> [[UInt8]] {
        let layout = try parse(payload, count: count, file: file, entry: entry)
        var elements: [[UInt8]] = []
        elements.reserveCapacity(count)
        var position = layout.dataStart
        for length in layout.lengths {
            elements.append(Array(payload[position..<(position + Int(length))]))
            position += Int(length)
        }
        return elements
    }

    /// The entry crc32c (unmasked) of a stored payload: lengths as fixed-width integers, the
    /// stored length checksum, then the bytes. It differs from a crc of the payload itself.
    static func entryCRC(_ payload: [UInt8], count: Int, file: String, entry: String) throws(FormatError) -> UInt32 {
        let layout = try parse(payload, count: count, file: file, entry: entry)
        var crc: UInt32 = 0
        for length in layout.lengths { crc = extendWithLength(crc, length) }
        return payload.withUnsafeBytes { raw in
            CRC32C.extend(crc, UnsafeRawBufferPointer(rebasing: raw[(layout.dataStart - 4)...]))
        }
    }

    private struct Layout {
        var lengths: [UInt64]
        var dataStart: Int
    }

    private static func parse(_ payload: [UInt8], count: Int, file: String, entry: String) throws(FormatError) -> Layout {
        var reader = ByteReader(payload)
        var lengths: [UInt64] = []
        lengths.reserveCapacity(min(count, payload.count))
        var lengthCRC: UInt32 = 0
        var total: UInt64 = 0
        do {
            for _ in 0..<count {
                let length = try reader.readVarint()
                lengths.append(length)
                lengthCRC = extendWithLength(lengthCRC, length)
                let (sum, overflow) = total.addingReportingOverflow(length)
                guard !overflow, sum <= UInt64(payload.count) else {
                    throw FormatError.corrupt(file: file, entry: entry, detail: "string lengths add up to more than the \(payload.count)-byte payload")
                }
                total = sum
            }
            let stored = try reader.readUInt32LE()
            guard CRC32C.unmask(stored) == lengthCRC else {
                throw FormatError.checksumMismatch(file: file, entry: entry, expected: CRC32C.unmask(stored), actual: lengthCRC)
            }
        } catch let error as FormatError {
            throw error
        } catch {
            throw .corrupt(file: file, entry: entry, detail: "string lengths are truncated or overlong")
        }
        guard UInt64(reader.remaining) == total else {
            throw .corrupt(file: file, entry: entry, detail: "string lengths cover \(total) bytes but \(reader.remaining) follow them")
        }
        return Layout(lengths: lengths, dataStart: reader.position)
    }

    private static func extendWithLength(_ crc: UInt32, _ length: UInt64) -> UInt32 {
        var bytes: [UInt8] = []
        if length > UInt64(UInt32.max) {
            ByteWriter.appendUInt64LE(length, to: &bytes)
        } else {
            ByteWriter.appendUInt32LE(UInt32(length), to: &bytes)
        }
        return CRC32C.extend(crc, bytes)
    }
}

/// DT_VARIANT payloads: per element a varint64 length, the serialized
/// `VariantTensorDataProto`, and a masked running crc32c.
enum VariantTensor {
    /// The entry crc32c (unmasked) over the stored payload, checking each element's checksum.
    static func entryCRC(_ payload: [UInt8], count: Int, file: String, entry: String) throws(FormatError) -> UInt32 {
        var reader = ByteReader(payload)
        var crc: UInt32 = 0
        do {
            for _ in 0..<count {
                let length = try reader.readVarint()
                guard length <= UInt64(reader.remaining) else {
                    throw FormatError.truncated(file: file, detail: "variant element of \(entry) runs past its payload")
                }
                var lengthBytes: [UInt8] = []
                ByteWriter.appendUInt64LE(length, to: &lengthBytes)
                crc = CRC32C.extend(crc, lengthBytes)
                let element = try reader.readSlice(Int(length))
                crc = payload.withUnsafeBytes { CRC32C.extend(crc, UnsafeRawBufferPointer(rebasing: $0[element])) }
                let checksumRange = try reader.readSlice(4)
                var checksumReader = ByteReader(payload, from: checksumRange.lowerBound)
                let stored = try checksumReader.readUInt32LE()
                guard CRC32C.unmask(stored) == crc else {
                    throw FormatError.checksumMismatch(file: file, entry: entry, expected: CRC32C.unmask(stored), actual: crc)
                }
                crc = CRC32C.extend(crc, payload[checksumRange])
            }
        } catch let error as FormatError {
            throw error
        } catch {
            throw .corrupt(file: file, entry: entry, detail: "variant payload is truncated or has an overlong length")
        }
        guard reader.isAtEnd else {
            throw .corrupt(file: file, entry: entry, detail: "\(reader.remaining) bytes follow the last variant element")
        }
        return crc
    }
}

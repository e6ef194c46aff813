/// Reads the records of a TFRecord file (TensorBoard event files, `tf.data` TFRecords) front
/// to back: each record is a uint64 length, the masked crc32c of those 8 bytes, the data, and
/// the masked crc32c of the data. Every length is checked against its crc and the bytes the
/// file still holds before anything is allocated for it; errors name the file and the record.
public struct TFRecordReader {
    public let file: ReadableFile
    /// Records read so far; the number of the next one, counting from 0.
    public private(set) var index = 0
    private var offset: Int64 = 0

    public init(path: String) throws(FormatError) {
        file = try ReadableFile(path: path)
    }

    /// The next record's data, nil at the end of the file.
    public mutating func next() throws(FormatError) -> [UInt8]? {
        guard offset < file.size else { return nil }
        let name = "record \(index) at offset \(offset)"
        guard file.size - offset >= 12 else {
            throw .truncated(file: file.path, detail: "\(name) ends inside its 12-byte header")
        }
        let header = try file.read(at: offset, count: 12)
        var reader = ByteReader(header)
        guard let low = try? reader.readUInt32LE(), let high = try? reader.readUInt32LE(), let lengthCRC = try? reader.readUInt32LE() else {
            throw .truncated(file: file.path, detail: "\(name) ends inside its header")
        }
        let length = UInt64(high) << 32 | UInt64(low)
        let actual = CRC32C.checksum(header[0..<8])
        guard CRC32C.unmask(lengthCRC) == actual else {
            throw .checksumMismatch(file: file.path, entry: "\(name), its length", expected: CRC32C.unmask(lengthCRC), actual: actual)
        }
        let after = file.size - offset - 12
        guard length <= UInt64(max(after - 4, 0)) else {
            throw .truncated(file: file.path, detail: "\(name) claims \(length) bytes of data and a 4-byte crc, but the file ends \(after) bytes after its header")
        }
        let data = try file.read(at: offset + 12, count: Int(length))
        var crcReader = ByteReader(try file.read(at: offset + 12 + Int64(length), count: 4))
        let stored = (try? crcReader.readUInt32LE()) ?? 0
        let computed = CRC32C.checksum(data)
        guard CRC32C.unmask(stored) == computed else {
            throw .checksumMismatch(file: file.path, entry: name, expected: CRC32C.unmask(stored), actual: computed)
        }
        offset += 16 + Int64(length)
        index += 1
        return data
    }
}

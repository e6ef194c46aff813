import RegistryFormat

/// A chunk as `ContentWriter` commits it, for an observer that needs its raw bytes later
/// (`PackDigester` hashes them once the pack they travel in ends): the bytes themselves when
/// they were handed over, or where a worker read them, so that nobody holds a megabyte per
/// chunk for that long. Bytes read again are checked against the crc32c taken the first time.
package struct CommittedChunk: Sendable {
    package enum Bytes: Sendable {
        case held([UInt8])
        case file(ReadableFile, offset: Int64, count: Int, crc32c: UInt32)
    }

    package var hash: ContentHash
    package var bytes: Bytes

    /// The raw size.
    package var count: Int {
        switch bytes {
        case .held(let raw): raw.count
        case .file(_, _, let count, _): count
        }
    }

    /// The raw bytes (a file's read again and checked), nil when they can no longer be had.
    package func rawBytes() -> [UInt8]? {
        if case .held(let raw) = bytes { return raw }
        var scratch: [UInt8] = []  // sized to `count` by the read
        return withRawBytes(scratch: &scratch) { _ in } ? scratch : nil
    }

    /// Calls `body` with the raw bytes, read again into `scratch` for a file's; false when a
    /// file's bytes can no longer be read or are no longer what was committed.
    package func withRawBytes(scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        switch bytes {
        case .held(let raw):
            raw.withUnsafeBytes(body)
            return true
        case .file(let file, let offset, let count, let crc):
            if scratch.count < count { scratch = [UInt8](repeating: 0, count: count) }
            return scratch.withUnsafeMutableBytes { buffer in
                let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
                guard (try? file.read(at: offset, into: slice)) != nil,
                      CRC32C.extend(0, UnsafeRawBufferPointer(slice)) == crc else { return false }
                body(UnsafeRawBufferPointer(slice))
                return true
            }
        }
    }
}

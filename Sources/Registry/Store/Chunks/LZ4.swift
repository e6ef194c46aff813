import RegistryFormat
import CLZ4

/// LZ4 block compression, wrapped once: callers hand over and get back byte arrays and
/// never see liblz4's pointers or its signed sizes.
enum LZ4 {
    /// Compressed bytes, or nil when compression would not make the block smaller.
    static func compress(_ source: UnsafeRawBufferPointer) -> [UInt8]? {
        guard source.count > 1 else { return nil }
        var written: Int?
        let output = [UInt8](unsafeUninitializedCapacity: source.count - 1) { out, count in
            written = compress(source, into: UnsafeMutableRawBufferPointer(out))
            count = written ?? 0
        }
        return written == nil ? nil : output
    }

    /// Compresses into `output` and returns the compressed length, or nil when the result would
    /// not be smaller than the source or not fit (LZ4 stops early then).
    static func compress(_ source: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
        let capacity = min(output.count, source.count - 1)
        guard source.count > 1, source.count <= Int(LZ4_MAX_INPUT_SIZE), capacity > 0, let input = source.baseAddress,
              let out = output.baseAddress else { return nil }
        let written = LZ4_compress_default(input.assumingMemoryBound(to: CChar.self), out.assumingMemoryBound(to: CChar.self),
                                           Int32(source.count), Int32(capacity))
        return written > 0 ? Int(written) : nil
    }

    /// Decompresses into exactly `rawSize` bytes (a size we recorded ourselves), or nil if the
    /// compressed bytes do not decode to exactly that many.
    static func decompress(_ source: UnsafeRawBufferPointer, rawSize: Int, into output: UnsafeMutableRawBufferPointer) -> Bool {
        guard rawSize == output.count, rawSize <= Int(Int32.max), source.count <= Int(Int32.max), let base = source.baseAddress,
              let out = output.baseAddress else { return rawSize == 0 && output.count == 0 }
        let decoded = LZ4_decompress_safe(base.assumingMemoryBound(to: CChar.self), out.assumingMemoryBound(to: CChar.self),
                                          Int32(source.count), Int32(rawSize))
        return Int(decoded) == rawSize
    }
}

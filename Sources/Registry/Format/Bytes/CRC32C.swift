import CCRC32C

/// CRC-32C (Castagnoli), as LevelDB and the tensor bundle use it, with TensorFlow's mask.
/// The SSE4.2 instruction does the work where the CPU has it; a table does elsewhere.
public enum CRC32C {
    /// Whether this CPU computes crc32c in hardware.
    public static var usesHardware: Bool { ccrc32c_hardware() != 0 }

    /// crc32c of `bytes` continued from `crc` (0 starts a fresh checksum).
    @inlinable
    public static func extend(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        return ccrc32c_extend(crc, base, bytes.count)
    }

    public static func extend(_ crc: UInt32, _ bytes: some Sequence<UInt8>) -> UInt32 {
        if let result = bytes.withContiguousStorageIfAvailable({ extend(crc, UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(bytes).withUnsafeBytes { extend(crc, $0) }
    }

    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 { extend(0, bytes) }

    /// The crc of A followed by B from the crc of each and B's length: chunks checksummed on
    /// different threads give the checksum of the whole.
    public static func combine(_ first: UInt32, _ second: UInt32, secondLength: Int) -> UInt32 {
        ccrc32c_combine(first, second, UInt64(secondLength))
    }

    /// `combine` for pieces of one length, prepared once (log n matrix squarings) and then
    /// applied in 32 steps per piece.
    public struct Combiner: Sendable {
        public let length: Int
        private let matrix: [UInt32]

        public init(length: Int) {
            self.length = length
            matrix = [UInt32](unsafeUninitializedCapacity: 32) { out, count in
                ccrc32c_zeros_operator(out.baseAddress!, UInt64(length))
                count = 32
            }
        }

        /// The crc of A followed by B, B being `secondLength` bytes long: 32 steps when that is
        /// `length`, the general `CRC32C.combine` otherwise.
        public func combine(_ first: UInt32, _ second: UInt32, secondLength: Int) -> UInt32 {
            secondLength == length ? ccrc32c_combine_with(matrix, first, second) : CRC32C.combine(first, second, secondLength: secondLength)
        }
    }

    /// The portable path, for tests that hold the hardware path to it.
    static func extendPortable(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        return ccrc32c_extend_portable(crc, base, bytes.count)
    }

    private static let maskDelta: UInt32 = 0xa282_ead8

    /// LevelDB's mask: stored crcs are masked so that a crc of data holding crcs stays strong.
    public static func mask(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ maskDelta
    }

    public static func unmask(_ masked: UInt32) -> UInt32 {
        let rotated = masked &- maskDelta
        return (rotated >> 17) | (rotated << 15)
    }
}

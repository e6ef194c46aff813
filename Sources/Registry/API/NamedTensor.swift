/// A tensor in memory, by its bundle key: how training code hands variables to the registry
/// and gets them back, without touching the file system.
public struct NamedTensor: Sendable, Equatable {
    public var name: String
    public var dtype: DType
    public var shape: [Int64]
    /// Raw little-endian element bytes, row-major (fixed-size dtypes).
    public var bytes: [UInt8]

    public init(name: String, dtype: DType, shape: [Int64], bytes: [UInt8]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    public init(name: String, floats: [Float], shape: [Int64]) {
        self.init(name: name, dtype: .float32, shape: shape, bytes: floats.withUnsafeBytes { Array($0) })
    }

    public init(name: String, int64: Int64) {
        self.init(name: name, dtype: .int64, shape: [], bytes: withUnsafeBytes(of: int64.littleEndian) { Array($0) })
    }

    /// The elements as Float (float32 tensors).
    public var floats: [Float] {
        bytes.withUnsafeBytes { raw in (0..<(raw.count / 4)).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } }
    }

    /// The value of an int64 scalar.
    public var int64Value: Int64? {
        guard dtype == .int64, bytes.count == 8 else { return nil }
        return bytes.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(as: Int64.self)) }
    }
}

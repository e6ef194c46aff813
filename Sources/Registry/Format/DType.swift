/// A TensorFlow element type by its `DataType` number, with the facts the bundle format
/// needs (bytes per element on disk) and the names users know from Python.
public struct DType: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    public init(_ proto: Tensorflow_DataType) { self.rawValue = Int32(proto.rawValue) }

    public var proto: Tensorflow_DataType { Tensorflow_DataType(rawValue: Int(rawValue)) ?? .dtInvalid }

    public static let invalid = DType(rawValue: 0)
    public static let float32 = DType(rawValue: 1)
    public static let float64 = DType(rawValue: 2)
    public static let int32 = DType(rawValue: 3)
    public static let uint8 = DType(rawValue: 4)
    public static let int16 = DType(rawValue: 5)
    public static let int8 = DType(rawValue: 6)
    public static let string = DType(rawValue: 7)
    public static let complex64 = DType(rawValue: 8)
    public static let int64 = DType(rawValue: 9)
    public static let bool = DType(rawValue: 10)
    public static let bfloat16 = DType(rawValue: 14)
    public static let float16 = DType(rawValue: 19)
    public static let resource = DType(rawValue: 20)
    public static let variant = DType(rawValue: 21)

    /// Python names (`tf.float32.name`), indexed by DataType number.
    private static let names: [Int32: String] = [
        0: "invalid", 1: "float32", 2: "float64", 3: "int32", 4: "uint8", 5: "int16", 6: "int8",
        7: "string", 8: "complex64", 9: "int64", 10: "bool", 11: "qint8", 12: "quint8", 13: "qint32",
        14: "bfloat16", 15: "qint16", 16: "quint16", 17: "uint16", 18: "complex128", 19: "float16",
        20: "resource", 21: "variant", 22: "uint32", 23: "uint64", 24: "float8_e5m2",
        25: "float8_e4m3fn", 26: "float8_e4m3fnuz", 27: "float8_e4m3b11fnuz", 28: "float8_e5m2fnuz",
        29: "int4", 30: "uint4", 31: "int2", 32: "uint2", 33: "float4_e2m1fn",
    ]

    /// Bytes per element in a bundle data file, by DataType number; the sub-byte types
    /// take one byte each on disk. Strings, variants and resources have no fixed size.
    private static let sizes: [Int32: Int] = [
        1: 4, 2: 8, 3: 4, 4: 1, 5: 2, 6: 1, 8: 8, 9: 8, 10: 1, 11: 1, 12: 1, 13: 4, 14: 2, 15: 2,
        16: 2, 17: 2, 18: 16, 19: 2, 22: 4, 23: 8, 24: 1, 25: 1, 26: 1, 27: 1, 28: 1, 29: 1, 30: 1,
        31: 1, 32: 1, 33: 1,
    ]

    public init?(name: String) {
        guard let match = Self.names.first(where: { $0.value == name }) else { return nil }
        self.rawValue = match.key
    }

    public var name: String { Self.names[rawValue] ?? "dtype(\(rawValue))" }
    public var description: String { name }

    /// Bytes per element for fixed-size types; nil for string, variant, resource and unknown.
    public var elementSize: Int? { Self.sizes[rawValue] }

    /// Whether a bundle may hold this type at all.
    public var isStorable: Bool { elementSize != nil || self == .string || self == .variant }

    /// Floating-point types, whose bytes compress better when shuffled.
    public var isFloatingPoint: Bool { [1, 2, 8, 14, 18, 19].contains(rawValue) || (24...28).contains(rawValue) }

    public static func < (a: DType, b: DType) -> Bool { a.rawValue < b.rawValue }

    /// Encoded as its `DataType` number, as `DataType` fields are.
    public init(from decoder: Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(Int32.self)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// numpy's `.npy` file (format 1.0): the magic, the version, a header that is a Python dict
/// literal (`descr`, `fortran_order`, `shape`) padded so that the data starts at a multiple of
/// 64, then the elements in C order. What `registry cat --npy` writes, so that `numpy.load`
/// reads a tensor without `allow_pickle`.
public enum NPYFormat {
    /// The numpy type a tensor's bytes are written as (`descr`), by DataType number. Types
    /// numpy lacks keep their bits in an unsigned integer of their width (bfloat16 as `<u2`,
    /// the float8 types and float4 as `|u1`; `ml_dtypes` views them back), int4/int2 as the
    /// one signed byte per element the bundle holds, quantized types as their integer.
    static let descrs: [Int32: String] = [
        1: "<f4", 2: "<f8", 3: "<i4", 4: "|u1", 5: "<i2", 6: "|i1", 8: "<c8", 9: "<i8", 10: "|b1",
        11: "|i1", 12: "|u1", 13: "<i4", 14: "<u2", 15: "<i2", 16: "<u2", 17: "<u2", 18: "<c16", 19: "<f2",
        22: "<u4", 23: "<u8", 24: "|u1", 25: "|u1", 26: "|u1", 27: "|u1", 28: "|u1", 29: "|i1", 30: "|u1",
        31: "|i1", 32: "|u1", 33: "|u1",
    ]

    /// The most dimensions a numpy array has (numpy 2's NPY_MAXDIMS; TensorFlow allows 254). At
    /// most this many keep a header far below format 1.0's 65,535 bytes.
    public static let maxRank = 64

    /// The numpy type of a fixed-size dtype's elements; nil for strings, variants, resources.
    public static func descr(for dtype: DType) -> String? { descrs[dtype.rawValue] }

    /// The file's bytes before the data: an array of `descr` (a type string like `'<f4'`, or a
    /// record type's list literal) and `shape` (at most `maxRank` dimensions), in C order.
    public static func header(descr: String, shape: [Int64]) -> [UInt8] {
        let dims = shape.map(String.init)
        let tuple = dims.count == 1 ? "(\(dims[0]),)" : "(" + dims.joined(separator: ", ") + ")"
        let quoted = descr.hasPrefix("[") ? descr : "'\(descr)'"
        var text = "{'descr': \(quoted), 'fortran_order': False, 'shape': \(tuple), }"
        text += String(repeating: " ", count: (64 - (10 + text.utf8.count + 1) % 64) % 64) + "\n"
        let length = UInt16(clamping: text.utf8.count)
        let bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xff), UInt8(length >> 8)]
        return bytes + Array(text.utf8)
    }

    /// A string tensor's elements as a numpy array of fixed-width bytes (`|S{n}`, n the longest
    /// element, at least 1), which `numpy.load` reads without pickle. `|S` drops an element's
    /// trailing NUL bytes, so when an element ends in one the array is a record array of
    /// `length` (`<u8`) and `bytes` (`|V{n}`, raw) instead, which keeps every byte.
    /// Returns the `descr` and the file's bytes; nil when they would pass `limit` bytes.
    public static func strings(_ elements: [[UInt8]], shape: [Int64], limit: Int) -> (descr: String, bytes: [UInt8])? {
        let width = max(1, elements.map(\.count).max() ?? 0)
        let exact = elements.contains { $0.last == 0 }
        let itemSize = exact ? width + 8 : width
        guard elements.count <= limit / itemSize else { return nil }
        let descr = exact ? "[('length', '<u8'), ('bytes', '|V\(width)')]" : "|S\(width)"
        var bytes = header(descr: descr, shape: shape)
        bytes.reserveCapacity(bytes.count + elements.count * itemSize)
        for element in elements {
            if exact { ByteWriter.appendUInt64LE(UInt64(element.count), to: &bytes) }
            bytes += element
            bytes += repeatElement(0, count: width - element.count)
        }
        return (descr, bytes)
    }
}

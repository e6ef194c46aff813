import Foundation

/// One array of an `.npy` file: its dtype string (`<f4`, `<i4`, `<f8`, `<i8`), shape and
/// raw little-endian C-order bytes.
public struct NPYArray {
    public var descr: String
    public var shape: [Int]
    public var data: [UInt8]

    public init(descr: String, shape: [Int], data: [UInt8]) {
        self.descr = descr
        self.shape = shape
        self.data = data
    }

    public var count: Int { shape.reduce(1, *) }

    public func floats() throws -> [Float] {
        guard descr == "<f4" else { throw TestFailure("npy dtype \(descr), wanted <f4") }
        return (0..<count).map { Float(bitPattern: word32(at: 4 * $0)) }
    }

    public func doubles() throws -> [Double] {
        guard descr == "<f8" else { throw TestFailure("npy dtype \(descr), wanted <f8") }
        return (0..<count).map { Double(bitPattern: word64(at: 8 * $0)) }
    }

    public func int32s() throws -> [Int32] {
        guard descr == "<i4" else { throw TestFailure("npy dtype \(descr), wanted <i4") }
        return (0..<count).map { Int32(bitPattern: word32(at: 4 * $0)) }
    }

    public func int64s() throws -> [Int64] {
        guard descr == "<i8" else { throw TestFailure("npy dtype \(descr), wanted <i8") }
        return (0..<count).map { Int64(bitPattern: word64(at: 8 * $0)) }
    }

    private func word32(at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(data[offset + $1]) << (8 * UInt32($1)) }
    }

    private func word64(at offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(data[offset + $1]) << (8 * UInt64($1)) }
    }

    /// Parses an `.npy` file (format versions 1–3): magic, version, header length, the
    /// header dict (`descr`, `fortran_order`, `shape`), then the data.
    public static func parse(_ bytes: [UInt8]) throws -> NPYArray {
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw TestFailure("not an .npy file")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        if major == 1 {
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        } else {
            guard bytes.count >= 12 else { throw TestFailure("truncated .npy header") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        }
        guard headerStart + headerLength <= bytes.count else { throw TestFailure("truncated .npy header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = value(of: "descr", in: header)?.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")),
              let fortran = value(of: "fortran_order", in: header),
              let shapeText = value(of: "shape", in: header) else {
            throw TestFailure("bad .npy header: \(header)")
        }
        guard fortran == "False" else { throw TestFailure(".npy in Fortran order is not supported") }
        let shape = try shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "()"))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { text -> Int in
                guard let n = Int(text) else { throw TestFailure("bad .npy shape \(shapeText)") }
                return n
            }
        let itemSize: Int
        switch descr {
        case "<f4", "<i4": itemSize = 4
        case "<f8", "<i8": itemSize = 8
        default: throw TestFailure(".npy dtype \(descr) is not supported")
        }
        let dataStart = headerStart + headerLength
        let byteCount = shape.reduce(1, *) * itemSize
        guard dataStart + byteCount <= bytes.count else { throw TestFailure("truncated .npy data") }
        return NPYArray(descr: descr, shape: shape, data: Array(bytes[dataStart..<(dataStart + byteCount)]))
    }

    /// The text of `'key': VALUE` in a Python dict literal, VALUE ending at the next
    /// top-level comma (tuples kept whole).
    private static func value(of key: String, in header: String) -> String? {
        guard let range = header.range(of: "'\(key)':") else { return nil }
        var depth = 0
        var out = ""
        for character in header[range.upperBound...] {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if (character == "," || character == "}") && depth == 0 { break }
            out.append(character)
        }
        return out.trimmingCharacters(in: .whitespaces)
    }
}

/// A reader for `np.savez` files: a zip of stored (uncompressed) `.npy` entries. numpy
/// always forces zip64 for them, so the local headers' 32-bit sizes are 0xFFFFFFFF and the
/// real sizes are in the zip64 extra field (id 0x0001).
public enum NPZ {
    public static func read(path: String) throws -> [String: NPYArray] {
        guard let data = FileManager.default.contents(atPath: path) else { throw TestFailure("cannot read \(path)") }
        return try parse([UInt8](data))
    }

    public static func parse(_ bytes: [UInt8]) throws -> [String: NPYArray] {
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> UInt64 { (0..<4).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) } }
        func u64(_ at: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) } }
        var arrays: [String: NPYArray] = [:]
        var offset = 0
        while offset + 30 <= bytes.count, u32(offset) == 0x0403_4B50 {
            let flags = u16(offset + 6), method = u16(offset + 8)
            var compressed = u32(offset + 18), uncompressed = u32(offset + 22)
            let nameLength = u16(offset + 26), extraLength = u16(offset + 28)
            let nameStart = offset + 30, extraStart = nameStart + nameLength, dataStart = extraStart + extraLength
            guard dataStart <= bytes.count else { throw TestFailure("truncated zip header") }
            let name = String(decoding: bytes[nameStart..<extraStart], as: UTF8.self)
            guard method == 0 else { throw TestFailure("\(name): zip method \(method); only stored entries are supported") }
            guard flags & 0x8 == 0 else { throw TestFailure("\(name): zip data descriptors are not supported") }
            if compressed == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF {
                // zip64 extra field: uncompressed size, then compressed size (each only if flagged).
                var at = extraStart
                var found = false
                while at + 4 <= dataStart {
                    let id = u16(at), size = u16(at + 2)
                    if id == 0x0001 {
                        var field = at + 4
                        if uncompressed == 0xFFFF_FFFF { uncompressed = u64(field); field += 8 }
                        if compressed == 0xFFFF_FFFF { compressed = u64(field) }
                        found = true
                    }
                    at += 4 + size
                }
                guard found else { throw TestFailure("\(name): zip64 sizes without a zip64 extra field") }
            }
            let end = dataStart + Int(compressed)
            guard end <= bytes.count, compressed == uncompressed else { throw TestFailure("\(name): bad entry size") }
            let key = name.hasSuffix(".npy") ? String(name.dropLast(4)) : name
            arrays[key] = try NPYArray.parse(Array(bytes[dataStart..<end]))
            offset = end
        }
        guard !arrays.isEmpty else { throw TestFailure("no entries in npz") }
        return arrays
    }
}

extension NPYArray {
    /// The values as doubles, whatever the numeric dtype.
    public func values() throws -> [Double] {
        switch descr {
        case "<f4": try floats().map(Double.init)
        case "<f8": try doubles()
        case "<i4": try int32s().map(Double.init)
        case "<i8": try int64s().map(Double.init)
        default: throw TestFailure("npy dtype \(descr) is not numeric")
        }
    }
}

extension NPYArray {
    /// Writes a float32 little-endian `.npy` (format 1.0).
    public static func writeFloat32(_ path: String, _ values: [Float], shape: [Int]) throws {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(shape.map(String.init).joined(separator: ", ")),), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let length = UInt16(header.utf8.count)
        bytes += [UInt8(length & 0xff), UInt8(length >> 8)] + Array(header.utf8)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}

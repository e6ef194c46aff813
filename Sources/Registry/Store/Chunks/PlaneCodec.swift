import RegistryFormat
import Foundation

/// The stored form of a `.planes` chunk: the byte planes of its elements (`registry_shuffle`),
/// each stored the way that pays for it. Random mantissa bytes stay raw without an LZ4 pass.
/// The sign/exponent byte of floats takes a handful of values: each byte is replaced by its
/// rank by frequency (the commonest 0), so that only the low bit planes of the ranks vary, and
/// the eight bit planes go through LZ4, which takes nearly constant planes at GB/s. On
/// normal-distributed float32 that stores the exponent byte at ~0.42 of its size, where LZ4 on
/// the byte itself gave ~0.66 at 0.4 GB/s; a plane of repeating patterns keeps plain LZ4.
///
///     header    width × (mode u8, stored length u32 little-endian)
///     planes    each plane's stored bytes, in order
///     tail      the bytes of a trailing partial element, raw
///
/// Modes: `raw` (the plane's n bytes), `lz4` (one LZ4 block of n bytes), `bits`: 256 bytes
/// giving the byte value of each rank (a permutation), eight u32 lengths, the eight bit planes
/// of the ranks (`registry_bitshuffle`, n / 8 bytes each, raw when the length says n / 8 and
/// LZ4 otherwise), then the ranks of the plane's last n % 8 bytes.
enum PlaneCodec {
    enum Mode: UInt8, Sendable { case raw = 0, lz4 = 1, bits = 2 }

    /// What to do with each plane, decided on a sample (`plan`) and applied to the whole chunk.
    struct Plan: Sendable, Equatable {
        var modes: [Mode]
        /// For `bits` planes: bit b set when bit plane b is worth LZ4.
        var bitMasks: [UInt8]
        /// For `bits` planes: the byte value of each rank (256 entries); empty otherwise.
        var values: [[UInt8]]
    }

    static let headerEntry = 5
    /// The rank table and the eight bit-plane lengths.
    static let bitsHeader = 256 + 32
    /// A plane (or bit plane) is compressed only when that saves 3 %.
    static let worthwhile = 0.97

    /// Tries every mode on each plane of a shuffled sample; returns the best plan and the
    /// sample's size under it.
    static func plan(_ shuffled: UnsafeRawBufferPointer, width: Int) -> (plan: Plan, size: Int) {
        let n = shuffled.count / width, m = n / 8
        var plan = Plan(modes: [], bitMasks: [], values: [])
        var size = headerEntry * width + shuffled.count - n * width
        var scratch = [UInt8](repeating: 0, count: bitsHeader + n)
        var encoder = BitsEncoder(planeSize: n)
        for k in 0..<width {
            let plane = UnsafeRawBufferPointer(rebasing: shuffled[(k * n)..<((k + 1) * n)])
            var best: (mode: Mode, size: Int, mask: UInt8, values: [UInt8]) = (.raw, n, 0, [])
            if let lz4 = scratch.withUnsafeMutableBytes({ LZ4.compress(plane, into: $0) }), lz4 < best.size {
                best = (.lz4, lz4, 0, [])
            }
            // Bytes spread evenly over (nearly) all values, like random mantissa bits, have
            // ranks as random as themselves: their bit planes cannot pay, so they are not tried.
            if m > 0, let values = rankedValues(plane) {
                let bits = scratch.withUnsafeMutableBytes {
                    encoder.write(plane, values: values, attempt: 0xFF, threshold: worthwhile, into: $0)
                }
                if bits.size < best.size { best = (.bits, bits.size, bits.compressed, values) }
            }
            if best.mode != .raw, Double(best.size) >= worthwhile * Double(n) { best = (.raw, n, 0, []) }
            plan.modes.append(best.mode)
            plan.bitMasks.append(best.mask)
            plan.values.append(best.values)
            size += best.size
        }
        return (plan, size)
    }

    /// The plane's byte values from the commonest to the rarest (ties by value): rank → value;
    /// nil when the bytes are spread nearly evenly (over 7.9 bits of entropy per byte).
    static func rankedValues(_ plane: UnsafeRawBufferPointer) -> [UInt8]? {
        let counts = Shuffle.histogram(plane)
        let total = Double(plane.count)
        let entropy = counts.reduce(0.0) { sum, count in count == 0 ? sum : sum - Double(count) / total * log2(Double(count) / total) }
        guard entropy <= 7.9 else { return nil }
        let present = (0..<256).filter { counts[$0] > 0 }.sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
        return (present + (0..<256).filter { counts[$0] == 0 }).map { UInt8($0) }
    }

    /// The inverse of a rank → value table: value → rank.
    static func ranks(of values: [UInt8]) -> [UInt8] {
        var ranks = [UInt8](repeating: 0, count: 256)
        for (rank, value) in values.enumerated() { ranks[Int(value)] = UInt8(rank) }
        return ranks
    }

    /// The stored form of a whole shuffled chunk under `plan`, or nil when it is not smaller
    /// than the chunk itself.
    static func pack(_ shuffled: UnsafeRawBufferPointer, width: Int, plan: Plan) -> [UInt8]? {
        let n = shuffled.count / width
        let capacity = headerEntry * width + shuffled.count + bitsHeader
        var encoder = BitsEncoder(planeSize: plan.modes.contains(.bits) ? n : 0)
        var length = 0
        let out = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            let out = UnsafeMutableRawBufferPointer(buffer)
            var cursor = headerEntry * width
            for k in 0..<width {
                let plane = UnsafeRawBufferPointer(rebasing: shuffled[(k * n)..<((k + 1) * n)])
                let start = cursor
                var mode = plan.modes[k]
                switch mode {
                case .raw:
                    break
                case .lz4:
                    if let packed = LZ4.compress(plane, into: UnsafeMutableRawBufferPointer(rebasing: out[cursor...])) {
                        cursor += packed
                    } else {
                        mode = .raw
                    }
                case .bits:
                    cursor += encoder.write(plane, values: plan.values[k], attempt: plan.bitMasks[k], threshold: 1,
                                            into: UnsafeMutableRawBufferPointer(rebasing: out[cursor...])).size
                    if cursor - start >= n {
                        cursor = start
                        mode = .raw
                    }
                }
                if mode == .raw {
                    UnsafeMutableRawBufferPointer(rebasing: out[cursor..<(cursor + n)]).copyMemory(from: plane)
                    cursor += n
                }
                out[headerEntry * k] = mode.rawValue
                writeLength(cursor - start, into: out, at: headerEntry * k + 1)
                if cursor >= shuffled.count { break }
            }
            let tail = UnsafeRawBufferPointer(rebasing: shuffled[(n * width)...])
            if cursor + tail.count < shuffled.count {
                UnsafeMutableRawBufferPointer(rebasing: out[cursor..<(cursor + tail.count)]).copyMemory(from: tail)
                length = cursor + tail.count
            }
            count = length
        }
        return length > 0 ? out : nil
    }

    /// Writes planes in `bits` mode, for `plan` (on a sample) and `pack` (on the chunk) alike;
    /// holds the two plane-sized buffers that takes.
    private struct BitsEncoder {
        private var ranked: [UInt8]
        private var bits: [UInt8]

        init(planeSize n: Int) {
            ranked = [UInt8](unsafeUninitializedCapacity: n) { _, count in count = n }
            bits = [UInt8](unsafeUninitializedCapacity: n) { _, count in count = n }
        }

        /// Writes `plane` in `bits` mode at the start of `out` (which holds at least
        /// `bitsHeader + plane.count` bytes): the rank table, the eight lengths, each bit plane
        /// of the ranks named in `attempt` LZ4-compressed when that comes below `threshold` of
        /// its size and raw otherwise, then the ranks of the plane's last n % 8 bytes. Returns
        /// the bytes written and the bit planes compressed.
        mutating func write(_ plane: UnsafeRawBufferPointer, values: [UInt8], attempt: UInt8, threshold: Double,
                            into out: UnsafeMutableRawBufferPointer) -> (size: Int, compressed: UInt8) {
            let n = plane.count, m = n / 8
            UnsafeMutableRawBufferPointer(rebasing: out[0..<256]).copyBytes(from: values)
            ranked.withUnsafeMutableBytes { Shuffle.map(plane, through: ranks(of: values), into: $0) }
            var cursor = bitsHeader, compressed: UInt8 = 0
            bits.withUnsafeMutableBytes { all in
                ranked.withUnsafeBytes { Shuffle.splitBits(UnsafeRawBufferPointer(rebasing: $0[0..<n]), into: all) }
                for b in 0..<8 {
                    let bitPlane = UnsafeRawBufferPointer(rebasing: all[(b * m)..<((b + 1) * m)])
                    let target = UnsafeMutableRawBufferPointer(rebasing: out[cursor..<(cursor + m)])
                    var stored = m
                    if attempt & (1 << b) != 0, let packed = LZ4.compress(bitPlane, into: target), Double(packed) < threshold * Double(m) {
                        stored = packed
                        compressed |= 1 << b
                    } else {
                        target.copyMemory(from: bitPlane)
                    }
                    writeLength(stored, into: out, at: 256 + 4 * b)
                    cursor += stored
                }
            }
            ranked.withUnsafeBytes { all in
                UnsafeMutableRawBufferPointer(rebasing: out[cursor..<(cursor + n - 8 * m)]).copyMemory(from: UnsafeRawBufferPointer(rebasing: all[(8 * m)..<n]))
            }
            return (cursor + n - 8 * m, compressed)
        }
    }

    /// Decodes a stored form into the chunk's `rawSize` bytes (planes put back together), or
    /// returns false when the stored bytes do not describe exactly that: every length is checked
    /// against what is left before it is used.
    static func unpack(_ data: UnsafeRawBufferPointer, width: Int, rawSize: Int, into out: UnsafeMutableRawBufferPointer) -> Bool {
        let n = rawSize / width, m = n / 8, tail = rawSize - n * width
        guard (2...16).contains(width), out.count == rawSize, data.count >= headerEntry * width + tail else { return false }
        // Planes stored raw are read where they lie; the others are decoded into `scratch`.
        var scratch: [UInt8] = []
        var bitScratch: [UInt8] = []
        var places: [(stored: Bool, offset: Int)] = []  // in `data`, or in `scratch`
        var cursor = headerEntry * width
        for k in 0..<width {
            guard let mode = Mode(rawValue: data[headerEntry * k]) else { return false }
            let stored = readLength(data, at: headerEntry * k + 1)
            guard stored <= data.count - cursor else { return false }
            let payload = UnsafeRawBufferPointer(rebasing: data[cursor..<(cursor + stored)])
            if mode == .raw {
                guard stored == n else { return false }
                places.append((true, cursor))
            } else {
                if scratch.isEmpty { scratch = [UInt8](unsafeUninitializedCapacity: rawSize) { _, count in count = rawSize } }
                let ok = scratch.withUnsafeMutableBytes { all in
                    let target = UnsafeMutableRawBufferPointer(rebasing: all[(k * n)..<((k + 1) * n)])
                    if mode == .lz4 { return LZ4.decompress(payload, rawSize: n, into: target) }
                    if bitScratch.isEmpty { bitScratch = [UInt8](unsafeUninitializedCapacity: 8 * m) { _, count in count = 8 * m } }
                    return bitScratch.withUnsafeMutableBytes { unpackBits(payload, planeSize: n, scratch: $0, into: target) }
                }
                guard ok else { return false }
                places.append((false, k * n))
            }
            cursor += stored
        }
        guard data.count - cursor == tail else { return false }
        scratch.withUnsafeBytes { decoded in
            let planes = places.map { UnsafeRawBufferPointer(rebasing: ($0.stored ? data : decoded)[$0.offset..<($0.offset + n)]) }
            Shuffle.join(planes: planes, tail: UnsafeRawBufferPointer(rebasing: data[cursor...]), into: out)
        }
        return true
    }

    /// One `bits` payload back into its plane of `planeSize` bytes.
    private static func unpackBits(_ payload: UnsafeRawBufferPointer, planeSize n: Int, scratch: UnsafeMutableRawBufferPointer, into target: UnsafeMutableRawBufferPointer) -> Bool {
        let m = n / 8
        guard payload.count >= bitsHeader + n - 8 * m else { return false }
        let values = [UInt8](UnsafeRawBufferPointer(rebasing: payload[0..<256]))
        guard Set(values).count == 256 else { return false }  // a rank table is a permutation
        var cursor = bitsHeader
        var planes: [UnsafeRawBufferPointer] = []
        for b in 0..<8 {
            let stored = readLength(payload, at: 256 + 4 * b)
            guard stored <= payload.count - cursor else { return false }
            let bitPlane = UnsafeRawBufferPointer(rebasing: payload[cursor..<(cursor + stored)])
            if stored == m {
                planes.append(bitPlane)
            } else {
                let decoded = UnsafeMutableRawBufferPointer(rebasing: scratch[(b * m)..<((b + 1) * m)])
                guard LZ4.decompress(bitPlane, rawSize: m, into: decoded) else { return false }
                planes.append(UnsafeRawBufferPointer(decoded))
            }
            cursor += stored
        }
        guard payload.count - cursor == n - 8 * m, target.count == n else { return n == 0 }
        Shuffle.joinBits(planes: planes, tail: UnsafeRawBufferPointer(rebasing: payload[cursor...]), through: values, into: target)
        return true
    }

    private static func writeLength(_ value: Int, into out: UnsafeMutableRawBufferPointer, at offset: Int) {
        for b in 0..<4 { out[offset + b] = UInt8(truncatingIfNeeded: value >> (8 * b)) }
    }

    fileprivate static func readLength(_ data: UnsafeRawBufferPointer, at offset: Int) -> Int {
        (0..<4).reduce(0) { $0 | Int(data[offset + $1]) << (8 * $1) }
    }
}

/// The stored form of a `.shuffleLZ4` chunk, written by registries before `.planes`: a u32
/// stored length per plane, then each plane (LZ4, or raw when its length is the plane's), then
/// the tail. Read only.
enum LegacyPlaneCodec {
    static func unpack(_ data: UnsafeRawBufferPointer, width: Int, rawSize: Int, into out: UnsafeMutableRawBufferPointer) -> Bool {
        let plane = rawSize / width, tail = rawSize - plane * width
        guard (2...16).contains(width), out.count == rawSize, data.count >= 4 * width else { return false }
        var shuffled = [UInt8](unsafeUninitializedCapacity: rawSize) { _, count in count = rawSize }
        var offset = 4 * width
        let ok = shuffled.withUnsafeMutableBytes { all -> Bool in
            for k in 0..<width {
                let stored = PlaneCodec.readLength(data, at: 4 * k)
                guard stored <= data.count - offset else { return false }
                let source = UnsafeRawBufferPointer(rebasing: data[offset..<(offset + stored)])
                let target = UnsafeMutableRawBufferPointer(rebasing: all[(k * plane)..<((k + 1) * plane)])
                if stored == plane {
                    target.copyMemory(from: source)
                } else if !LZ4.decompress(source, rawSize: plane, into: target) {
                    return false
                }
                offset += stored
            }
            guard data.count - offset == tail else { return false }
            UnsafeMutableRawBufferPointer(rebasing: all[(plane * width)...]).copyMemory(from: UnsafeRawBufferPointer(rebasing: data[offset...]))
            return true
        }
        guard ok else { return false }
        shuffled.withUnsafeBytes { Shuffle.join($0, width: width, into: out) }
        return true
    }
}

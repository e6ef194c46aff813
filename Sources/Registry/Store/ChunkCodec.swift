import CShuffle
import Foundation

/// How a chunk's bytes are stored (the `filter` column). A chunk with a base stores its bytes
/// XOR the base's bytes, through the same filters.
enum ChunkFilter: Int, Sendable {
    case raw = 0
    case lz4 = 1
    /// Byte planes of `width`-byte elements, then LZ4: sign and exponent bytes of floats compress.
    case shuffleLZ4 = 2
}

/// A chunk as encoded for storage.
struct EncodedChunk: Sendable {
    var filter: ChunkFilter
    var width: Int
    /// Whether `data` is the XOR against the base chunk handed to the encoder.
    var isDelta: Bool
    /// The stored bytes; nil for `.raw` (the caller stores the chunk's own bytes).
    var data: [UInt8]?
}

/// One row of the chain a delta chunk needs: the chunk itself first, then its base, and so on
/// down to a chunk stored whole.
struct StoredChunk: Sendable {
    var id: Int64
    var hash: Data
    var filter: Int
    var width: Int
    var rawSize: Int
    var baseID: Int64?
    var depth: Int
    var data: Data
}

/// Picks a chunk's filter and applies it. The choice is made on a 64 KiB sample: each candidate
/// (LZ4, shuffle + LZ4, and both over the XOR with the base when there is one) compresses the
/// sample, the smallest wins and only it runs over the whole chunk; when no candidate saves 3 %
/// on the sample the chunk is stored raw, so incompressible data costs one sample, not a pass.
enum ChunkEncoder {
    static let sampleSize = 64 << 10
    static let minimumSaving = 0.97

    static func encode(_ raw: UnsafeRawBufferPointer, elementSize: Int, base: UnsafeRawBufferPointer?) -> EncodedChunk {
        let width = (2...16).contains(elementSize) ? elementSize : 1
        var xored: [UInt8]?
        if let base, base.count == raw.count {
            var out = [UInt8](repeating: 0, count: raw.count)
            out.withUnsafeMutableBytes { registry_xor($0.bindMemory(to: UInt8.self).baseAddress, raw.bindMemory(to: UInt8.self).baseAddress, base.bindMemory(to: UInt8.self).baseAddress, raw.count) }
            xored = out
        }
        var candidates: [(filter: ChunkFilter, delta: Bool)] = [(.lz4, false)]
        if width > 1 { candidates.append((.shuffleLZ4, false)) }
        if xored != nil {
            candidates.append((.lz4, true))
            if width > 1 { candidates.append((.shuffleLZ4, true)) }
        }
        // The sample: a width-aligned window in the middle of the chunk (or all of a small one).
        let sampleLength = min(raw.count, sampleSize) / width * width
        let sampleStart = sampleLength == 0 ? 0 : (raw.count - sampleLength) / 2 / width * width
        var best: (filter: ChunkFilter, delta: Bool, ratio: Double)?
        if sampleLength > 0 {
            for candidate in candidates {
                let size: Int = withInput(raw, xored: xored, delta: candidate.delta) { input in
                    let sample = UnsafeRawBufferPointer(rebasing: input[sampleStart..<(sampleStart + sampleLength)])
                    return apply(candidate.filter, width: width, to: sample).map(\.count) ?? sampleLength
                }
                let ratio = Double(size) / Double(sampleLength)
                if ratio < (best?.ratio ?? minimumSaving) { best = (candidate.filter, candidate.delta, ratio) }
            }
        }
        guard let best else { return EncodedChunk(filter: .raw, width: 1, isDelta: false, data: nil) }
        let data = withInput(raw, xored: xored, delta: best.delta) { apply(best.filter, width: width, to: $0) }
        guard let data else { return EncodedChunk(filter: .raw, width: 1, isDelta: false, data: nil) }
        return EncodedChunk(filter: best.filter, width: best.filter == .shuffleLZ4 ? width : 1, isDelta: best.delta, data: data)
    }

    private static func withInput<R>(_ raw: UnsafeRawBufferPointer, xored: [UInt8]?, delta: Bool, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if delta, let xored { return xored.withUnsafeBytes(body) }
        return body(raw)
    }

    /// The filter's output, or nil when it does not make the bytes smaller.
    static func apply(_ filter: ChunkFilter, width: Int, to input: UnsafeRawBufferPointer) -> [UInt8]? {
        switch filter {
        case .raw: return nil
        case .lz4: return LZ4.compress(input)
        case .shuffleLZ4:
            var shuffled = [UInt8](repeating: 0, count: input.count)
            shuffled.withUnsafeMutableBytes {
                registry_shuffle($0.bindMemory(to: UInt8.self).baseAddress, input.bindMemory(to: UInt8.self).baseAddress, input.count, width)
            }
            return shuffled.withUnsafeBytes { LZ4.compress($0) }
        }
    }
}

/// Undoes `ChunkEncoder`: decodes a chain from its full chunk up, XOR-ing each delta onto the
/// bytes below it, and checks every size on the way (sizes and links come from the database,
/// which may be damaged).
enum ChunkDecoder {
    static func decode(chain: [StoredChunk], verify: Bool) throws -> [UInt8] {
        guard let top = chain.first else { throw StoreError.damaged(what: "chunk", detail: "no row to decode") }
        var bytes: [UInt8]?
        for (level, row) in chain.enumerated().reversed() {
            let expectsBase = level < chain.count - 1
            guard (row.baseID != nil) == expectsBase, row.depth == chain.count - 1 - level else {
                throw StoreError.damaged(what: "chunk \(row.id)", detail: "its chain of delta bases is broken (depth \(row.depth))")
            }
            var decoded = try decodeOne(row)
            if let below = bytes {
                guard below.count == decoded.count else {
                    throw StoreError.damaged(what: "chunk \(row.id)", detail: "its base holds \(below.count) bytes, not \(decoded.count)")
                }
                decoded.withUnsafeMutableBytes { out in
                    below.withUnsafeBytes { registry_xor(out.bindMemory(to: UInt8.self).baseAddress, out.bindMemory(to: UInt8.self).baseAddress, $0.bindMemory(to: UInt8.self).baseAddress, out.count) }
                }
            }
            bytes = decoded
        }
        let raw = bytes!
        if verify {
            let hash = raw.withUnsafeBytes { ContentHash.ofChunk($0) }
            guard Data(hash.bytes) == top.hash else {
                throw StoreError.damaged(what: "chunk \(top.id)", detail: "its bytes no longer match their sha256")
            }
        }
        return raw
    }

    /// One row's filter undone (without its base).
    static func decodeOne(_ row: StoredChunk) throws -> [UInt8] {
        guard row.rawSize > 0, row.rawSize <= ContentReader.maxRawSize else {
            throw StoreError.damaged(what: "chunk \(row.id)", detail: "its recorded size \(row.rawSize) is not that of a stored chunk (1 to \(ContentReader.maxRawSize) bytes)")
        }
        guard let filter = ChunkFilter(rawValue: row.filter) else {
            throw StoreError.damaged(what: "chunk \(row.id)", detail: "unknown filter \(row.filter)")
        }
        var out = [UInt8](repeating: 0, count: row.rawSize)
        let ok: Bool
        switch filter {
        case .raw:
            ok = row.data.count == row.rawSize
            if ok { out = [UInt8](row.data) }
        case .lz4:
            ok = row.data.withUnsafeBytes { source in out.withUnsafeMutableBytes { LZ4.decompress(source, rawSize: row.rawSize, into: $0) } }
        case .shuffleLZ4:
            guard (2...16).contains(row.width) else {
                throw StoreError.damaged(what: "chunk \(row.id)", detail: "shuffle width \(row.width) is out of range")
            }
            var planes = [UInt8](repeating: 0, count: row.rawSize)
            ok = row.data.withUnsafeBytes { source in planes.withUnsafeMutableBytes { LZ4.decompress(source, rawSize: row.rawSize, into: $0) } }
            if ok {
                out.withUnsafeMutableBytes { o in
                    planes.withUnsafeBytes { registry_unshuffle(o.bindMemory(to: UInt8.self).baseAddress, $0.bindMemory(to: UInt8.self).baseAddress, row.rawSize, row.width) }
                }
            }
        }
        guard ok else {
            throw StoreError.damaged(what: "chunk \(row.id)", detail: "its stored bytes do not decode to the \(row.rawSize) bytes recorded")
        }
        return out
    }
}

extension DType {
    /// The byte-shuffle width for this type's chunks: the element size (the two halves of a
    /// complex number separately), 1 for bytes, strings and variants, which are not shuffled.
    var shuffleWidth: Int {
        guard let size = elementSize, size > 1 else { return 1 }
        return self == .complex64 || rawValue == 18 ? size / 2 : size
    }
}

import RegistryFormat
import Foundation

/// How a chunk's bytes are stored (the `filter` column). A chunk with a base stores its bytes
/// relative to the base's bytes, through the same filters: XOR-ed, or for `.planesDifference`
/// as the difference of its elements.
enum ChunkFilter: Int, Sendable {
    case raw = 0
    case lz4 = 1
    /// Byte planes of `width`-byte elements, each LZ4-compressed where that pays. Written by
    /// earlier versions; read only (`LegacyPlaneCodec`).
    case shuffleLZ4 = 2
    /// Byte planes of `width`-byte elements, each stored raw, LZ4-compressed, or as eight bit
    /// planes, whichever pays (`PlaneCodec`): sign and exponent bits of floats compress, low
    /// mantissa bytes do not.
    case planes = 3
    /// Only with a base, and widths 2, 4 and 8: `.planes` over the zigzag difference of each
    /// element from the base's as a little-endian integer (`registry_difference`). A small
    /// step of a float keeps its high bytes at zero, where the XOR also flips every bit a
    /// carry ran through: Adam's v stored at 0.756 of its size this way against 0.806 as XOR.
    case planesDifference = 4

    /// Whether a delta of this filter is a difference of elements (else an XOR).
    var subtractsBase: Bool { self == .planesDifference }

    /// The widths `registry_difference` works on.
    static func differenceApplies(width: Int) -> Bool { width == 2 || width == 4 || width == 8 }
}

/// A chunk as encoded for storage.
struct EncodedChunk: Sendable {
    var filter: ChunkFilter
    var width: Int
    /// Whether `data` is relative to the base chunk handed to the encoder (see `ChunkFilter`).
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

/// Picks a chunk's filter and applies it. The choice is made on a 32 KiB sample: each candidate
/// (LZ4, byte planes, and both relative to the base when there is one) compresses the sample,
/// the smallest wins and only it runs over the whole chunk; when no candidate saves 3 % on the
/// sample the chunk is stored raw, so incompressible data costs one sample, not a pass.
enum ChunkEncoder {
    static let sampleSize = 32 << 10
    /// Plain LZ4 is tried on shuffled types only when their planes compress this well: only then
    /// can repeats of whole elements (few distinct values) beat the planes; measured on
    /// weights, it never wins above it and would cost a second LZ4 pass on every sample.
    static let plainLZ4Threshold = 0.85
    static let minimumSaving = 0.97

    /// What a candidate compresses: the chunk itself, or its XOR or difference with the base.
    private enum Input { case own, xor, difference }

    /// The chunk, or its sample, relative to its base: the trials on the sample transform only
    /// the sample, and only the winner transforms the whole chunk.
    private struct Inputs {
        let raw: UnsafeRawBufferPointer
        let base: UnsafeRawBufferPointer?
        let width: Int

        func with<R>(_ input: Input, in range: Range<Int>? = nil, _ body: (UnsafeRawBufferPointer) -> R) -> R {
            let range = range ?? 0..<raw.count
            let own = UnsafeRawBufferPointer(rebasing: raw[range])
            guard input != .own, let base else { return body(own) }
            let width = width
            let theirs = UnsafeRawBufferPointer(rebasing: base[range])
            let combined = [UInt8](unsafeUninitializedCapacity: own.count) { out, count in
                let target = UnsafeMutableRawBufferPointer(out)
                if input == .xor { Shuffle.xor(own, theirs, into: target) } else { Shuffle.difference(own, theirs, width: width, into: target) }
                count = own.count
            }
            return combined.withUnsafeBytes(body)
        }
    }

    static func encode(_ raw: UnsafeRawBufferPointer, planeWidth: Int, base: UnsafeRawBufferPointer?) -> EncodedChunk {
        let width = (2...16).contains(planeWidth) ? planeWidth : 1
        let usable = base.flatMap { $0.count == raw.count ? $0 : nil }
        let inputs = Inputs(raw: raw, base: usable, width: width)
        // Shuffled candidates first (for widths above 1), so that plain LZ4 can be skipped.
        // Over a base, wide elements take their difference (never larger than the XOR on
        // trained weights and Adam's slots); LZ4 alone takes the XOR.
        var candidates: [(filter: ChunkFilter, input: Input)] = []
        if width > 1 {
            candidates.append((.planes, .own))
            if usable != nil {
                candidates.append(ChunkFilter.differenceApplies(width: width) ? (.planesDifference, .difference) : (.planes, .xor))
            }
        }
        candidates.append((.lz4, .own))
        if usable != nil { candidates.append((.lz4, .xor)) }
        // The sample: a width-aligned window in the middle of the chunk (or all of a small one).
        let sampleLength = min(raw.count, sampleSize) / width * width
        let sampleStart = sampleLength == 0 ? 0 : (raw.count - sampleLength) / 2 / width * width
        var best: (filter: ChunkFilter, input: Input, plan: PlaneCodec.Plan?, ratio: Double)?
        if sampleLength > 0 {
            for candidate in candidates {
                if candidate.filter == .lz4, width > 1, (best?.ratio ?? 1) >= plainLZ4Threshold { continue }
                let (size, plan): (Int, PlaneCodec.Plan?) = inputs.with(candidate.input, in: sampleStart..<(sampleStart + sampleLength)) { sample in
                    if candidate.filter == .lz4 { return (LZ4.compress(sample)?.count ?? sampleLength, nil) }
                    // Each plane of the sample alone: the plan says how to store each plane.
                    let planned = shuffle(sample, width: width).withUnsafeBytes { PlaneCodec.plan($0, width: width) }
                    return (planned.size, planned.plan)
                }
                let ratio = Double(size) / Double(sampleLength)
                if ratio < (best?.ratio ?? minimumSaving) { best = (candidate.filter, candidate.input, plan, ratio) }
            }
        }
        guard let best else { return EncodedChunk(filter: .raw, width: 1, isDelta: false, data: nil) }
        let data: [UInt8]? = inputs.with(best.input) { input in
            guard let plan = best.plan else { return LZ4.compress(input) }
            return shuffle(input, width: width).withUnsafeBytes { PlaneCodec.pack($0, width: width, plan: plan) }
        }
        guard let data else { return EncodedChunk(filter: .raw, width: 1, isDelta: false, data: nil) }
        return EncodedChunk(filter: best.filter, width: best.filter == .lz4 ? 1 : width, isDelta: best.input != .own, data: data)
    }

    static func shuffle(_ input: UnsafeRawBufferPointer, width: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: input.count) { out, count in
            Shuffle.split(input, width: width, into: UnsafeMutableRawBufferPointer(out))
            count = input.count
        }
    }
}

/// Undoes `ChunkEncoder`: decodes a chain from its full chunk up, applying each delta onto the
/// bytes below it (XOR, or the difference for `.planesDifference`), and checks every size on the way (sizes and links come from the database,
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
            let subtracts = ChunkFilter(rawValue: row.filter)?.subtractsBase == true
            guard !subtracts || expectsBase else {
                throw StoreError.damaged(what: "chunk \(row.id)", detail: "it is stored as a difference but has no base")
            }
            var decoded = try decodeOne(row)
            if let below = bytes {
                guard below.count == decoded.count else {
                    throw StoreError.damaged(what: "chunk \(row.id)", detail: "its base holds \(below.count) bytes, not \(decoded.count)")
                }
                decoded.withUnsafeMutableBytes { out in
                    below.withUnsafeBytes { base in
                        let own = UnsafeRawBufferPointer(out)
                        if subtracts { Shuffle.undifference(own, base: base, width: row.width, into: out) } else { Shuffle.xor(own, base, into: out) }
                    }
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
        if filter == .raw {
            guard row.data.count == row.rawSize else {
                throw StoreError.damaged(what: "chunk \(row.id)", detail: "it holds \(row.data.count) bytes, not the \(row.rawSize) recorded")
            }
            return [UInt8](row.data)
        }
        if filter != .lz4, !(2...16).contains(row.width) {
            throw StoreError.damaged(what: "chunk \(row.id)", detail: "shuffle width \(row.width) is out of range")
        }
        if filter.subtractsBase, !ChunkFilter.differenceApplies(width: row.width) {
            throw StoreError.damaged(what: "chunk \(row.id)", detail: "a difference of \(row.width)-byte elements is not a filter this registry writes")
        }
        // Every byte is written below before it is read (or the row is refused).
        var out = [UInt8](unsafeUninitializedCapacity: row.rawSize) { _, count in count = row.rawSize }
        let ok = row.data.withUnsafeBytes { source in
            out.withUnsafeMutableBytes { out in
                switch filter {
                case .raw: false
                case .lz4: LZ4.decompress(source, rawSize: row.rawSize, into: out)
                case .shuffleLZ4: LegacyPlaneCodec.unpack(source, width: row.width, rawSize: row.rawSize, into: out)
                case .planes, .planesDifference: PlaneCodec.unpack(source, width: row.width, rawSize: row.rawSize, into: out)
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
    /// How many byte planes a chunk of this type is cut into (byte k of every element
    /// together): the element size, the two halves of a complex number separately; 1 for
    /// bytes, strings and variants, which are not split. Not `elementSize`, the bytes per
    /// element on disk, which it differs from for complex types and has no value for strings.
    package var planeWidth: Int {
        guard let size = elementSize, size > 1 else { return 1 }
        return self == .complex64 || rawValue == 18 ? size / 2 : size
    }
}

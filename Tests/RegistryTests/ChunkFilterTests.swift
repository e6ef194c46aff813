import Foundation
import GRDB
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// Chunk filters (byte planes, LZ4, raw) chosen per chunk, and deltas (differences or XOR)
/// against the parent checkpoint with bounded chains: every choice decodes to the exact bytes.
@Suite struct ChunkFilterTests {
    /// Normal-ish floats (sum of uniforms), scaled like trained weights.
    static func weights(_ count: Int, seed: UInt64, scale: Float = 0.05) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in Float((0..<4).reduce(0.0) { s, _ in s + rng.uniform(-1, 1) }) * scale }
    }

    /// One Adam-sized step: every weight moves by about 1e-4.
    static func step(_ w: [Float], seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return w.map { $0 - Float(rng.uniform(-1e-4, 1e-4)) }
    }

    static func bytes(_ floats: [Float]) -> [UInt8] { floats.withUnsafeBytes { Array($0) } }

    static func roundTrip(_ raw: [UInt8], width: Int, base: [UInt8]? = nil) throws -> EncodedChunk {
        let encoded = raw.withUnsafeBytes { r in
            base.map { b in b.withUnsafeBytes { ChunkEncoder.encode(r, planeWidth: width, base: $0) } } ?? ChunkEncoder.encode(r, planeWidth: width, base: nil)
        }
        let hash = raw.withUnsafeBytes { ContentHash.ofChunk($0) }
        var chain = [StoredChunk(id: 2, hash: Data(hash.bytes), filter: encoded.filter.rawValue, width: encoded.width, rawSize: raw.count,
                                 baseID: encoded.isDelta ? 1 : nil, depth: encoded.isDelta ? 1 : 0, data: Data(encoded.data ?? raw))]
        if encoded.isDelta, let base {
            chain.append(StoredChunk(id: 1, hash: Data(), filter: 0, width: 1, rawSize: base.count, baseID: nil, depth: 0, data: Data(base)))
        }
        let decoded = try ChunkDecoder.decode(chain: chain, verify: true)
        #expect(decoded == raw, "filter \(encoded.filter) width \(encoded.width) delta \(encoded.isDelta) did not decode to the same bytes")
        return encoded
    }

    @Test func eachKindOfDataGetsTheFilterThatPays() throws {
        var rng = SplitMix64(seed: 7)
        let floats = Self.bytes(Self.weights(1 << 18, seed: 1))
        let random = (0..<(1 << 20)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let fewValued = Self.bytes((0..<(1 << 18)).map { _ in [Float(-1), 0, 0.5, 2][Int(rng.next() % 4)] })
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        let doubles = (0..<(1 << 17)).map { _ in Double(rng.uniform(-1, 1)) }.withUnsafeBytes { Array($0) }
        let bfloat16 = Self.weights(1 << 19, seed: 3).flatMap { f -> [UInt8] in let b = f.bitPattern >> 16; return [UInt8(b & 0xff), UInt8(b >> 8)] }

        let f = try Self.roundTrip(floats, width: 4)
        #expect(f.filter == .planes && f.width == 4)
        #expect(Double(f.data!.count) / Double(floats.count) < 0.90, "shuffled floats stored at \(f.data!.count) of \(floats.count)")
        let plain = floats.withUnsafeBytes { LZ4.compress($0)?.count ?? floats.count }
        #expect(f.data!.count < plain, "shuffle + LZ4 (\(f.data!.count)) should beat plain LZ4 (\(plain)) on floats")

        let r = try Self.roundTrip(random, width: 1)
        #expect(r.filter == .raw && r.data == nil, "random bytes do not compress: stored raw")
        #expect(try Self.roundTrip(zeros, width: 4).data!.count < 8 << 10)
        let few = try Self.roundTrip(fewValued, width: 4)
        #expect(few.data!.count < fewValued.count / 2, "four values in 2-bit patterns stored at \(few.data!.count) of \(fewValued.count)")
        #expect(try Self.roundTrip(doubles, width: 8).filter == .planes)
        #expect(try Self.roundTrip(bfloat16, width: 2).filter == .planes)
        // Sizes that are not a multiple of the width, and tiny chunks.
        for count in [1, 3, 5, 4097, 1_000_003] {
            _ = try Self.roundTrip(Array(floats.prefix(count)), width: 4)
            _ = try Self.roundTrip(Array(floats.prefix(count)), width: 8)
        }
    }

    /// Float weights: the exponent byte goes to bit planes, random mantissa bytes stay raw.
    @Test func eachPlaneIsStoredTheWayThatPays() throws {
        let floats = Self.bytes(Self.weights(1 << 18, seed: 1))
        let f = try Self.roundTrip(floats, width: 4)
        let modes = (0..<4).map { PlaneCodec.Mode(rawValue: f.data![PlaneCodec.headerEntry * $0]) }
        #expect(modes == [.raw, .raw, .raw, .bits], "plane modes \(modes)")
        // Five distinct 16-bit values: whichever filter wins, it saves over 40 %.
        var rng = SplitMix64(seed: 9)
        let words = (0..<(1 << 17)).map { _ in [UInt16(0x3F80), 0x4000, 0xC040, 0x4120, 0x4170][Int(rng.next() % 5)] }
        let halves = words.withUnsafeBytes { Array($0) }
        let h = try Self.roundTrip(halves, width: 2)
        #expect(h.filter == .lz4 || h.filter == .planes, "filter \(h.filter)")
        #expect(Double(h.data!.count) < 0.6 * Double(halves.count), "five 16-bit values stored at \(h.data!.count) of \(halves.count)")
    }

    /// The bit shuffle is the transpose it claims (bit b of byte i is bit i % 8 of byte i / 8
    /// of plane b), for lengths that exercise the vector and the scalar paths; the inverse puts
    /// the bytes back through the rank table (here a reversal, so that the table is exercised).
    @Test func bitShuffleTransposesBits() {
        var rng = SplitMix64(seed: 4)
        let reversed = (0...255).map { UInt8(255 - $0) }
        for n in [0, 5, 8, 16, 24, 56, 64, 72, 120, 128, 4096, 4099, 4104, 65_536 + 47] {
            let input = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let m = n / 8
            var planes = [UInt8](repeating: 0, count: n)
            planes.withUnsafeMutableBytes { out in input.withUnsafeBytes { Shuffle.splitBits($0, into: out) } }
            let wrong = (0..<(8 * m)).first { i in (0..<8).contains { b in (input[i] >> b) & 1 != (planes[b * m + i / 8] >> (i % 8)) & 1 } }
            #expect(wrong == nil, "n = \(n): byte \(wrong ?? -1) misplaced")
            for i in (8 * m)..<n { planes[i] = 255 - input[i] }  // the tail travels as its ranks
            for i in 0..<(8 * m) { planes[i] = ~planes[i] }  // ranks of reversed bytes: every bit flipped
            var back = [UInt8](repeating: 0, count: n)
            planes.withUnsafeBytes { p in
                let bitPlanes = (0..<8).map { b in UnsafeRawBufferPointer(rebasing: p[(b * m)..<((b + 1) * m)]) }
                let tail = UnsafeRawBufferPointer(rebasing: p[(8 * m)..<n])
                back.withUnsafeMutableBytes { Shuffle.joinBits(planes: bitPlanes, tail: tail, through: reversed, into: $0) }
            }
            #expect(back == input, "n = \(n): bit unshuffle is not the inverse")
        }
    }

    /// Chunks written by earlier versions (`shuffleLZ4`: u32 lengths, LZ4 or raw planes) still read.
    /// The AVX-512 forms of the byte and bit shuffles and the byte map (where this CPU has
    /// VBMI and GFNI) give the bytes the portable forms give, for lengths around their 64-byte
    /// steps; and a chunk encoded by one decodes by the other.
    @Test func vectorAndPortableFormsAgree() throws {
        Shuffle.usesAVX512 = true
        let available = Shuffle.usesAVX512
        defer { Shuffle.usesAVX512 = true }
        var rng = SplitMix64(seed: 61)
        let table = (0...255).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        func run(avx512: Bool, _ input: [UInt8]) -> (planes: [UInt8], back: [UInt8], mapped: [UInt8]) {
            Shuffle.usesAVX512 = avx512
            let n = input.count, m = n / 8
            var planes = [UInt8](repeating: 0, count: n)
            planes.withUnsafeMutableBytes { out in input.withUnsafeBytes { Shuffle.splitBits($0, into: out) } }
            for i in (8 * m)..<n { planes[i] = input[i] }
            var back = [UInt8](repeating: 0, count: n), mapped = back
            planes.withUnsafeBytes { p in
                let bitPlanes = (0..<8).map { b in UnsafeRawBufferPointer(rebasing: p[(b * m)..<((b + 1) * m)]) }
                back.withUnsafeMutableBytes { Shuffle.joinBits(planes: bitPlanes, tail: UnsafeRawBufferPointer(rebasing: p[(8 * m)..<n]), through: table, into: $0) }
            }
            mapped.withUnsafeMutableBytes { out in input.withUnsafeBytes { Shuffle.map($0, through: table, into: out) } }
            return (planes, back, mapped)
        }
        for n in [0, 7, 63, 64, 65, 127, 128, 255, 256, 257, 511, 512, 513, 4096 + 9, 1 << 16] {
            let input = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let portable = run(avx512: false, input), vector = run(avx512: true, input)
            #expect(portable.planes == vector.planes && portable.back == vector.back && portable.mapped == vector.mapped, "n = \(n)")
            #expect(portable.back == input.map { table[Int($0)] }, "n = \(n): unshuffle is not the inverse")
            #expect(portable.mapped == input.map { table[Int($0)] })
            for width in [2, 3, 4, 8] {
                var shuffled: [[UInt8]] = [], restored: [[UInt8]] = []
                for avx512 in [false, true] {
                    Shuffle.usesAVX512 = avx512
                    var planes = [UInt8](repeating: 0, count: n), back = planes
                    planes.withUnsafeMutableBytes { out in input.withUnsafeBytes { Shuffle.split($0, width: width, into: out) } }
                    back.withUnsafeMutableBytes { out in planes.withUnsafeBytes { Shuffle.join($0, width: width, into: out) } }
                    shuffled.append(planes)
                    restored.append(back)
                }
                #expect(shuffled[0] == shuffled[1] && restored[0] == input && restored[1] == input, "n = \(n), width \(width)")
                let elements = n / width
                #expect((0..<(elements * width)).allSatisfy { shuffled[0][($0 % width) * elements + $0 / width] == input[$0] }, "n = \(n), width \(width): not byte planes")
            }
        }
        // Across the two: weights encoded with one form decode with the other.
        let floats = Self.bytes(Self.weights(1 << 16, seed: 62))
        Shuffle.usesAVX512 = true
        let encoded = floats.withUnsafeBytes { ChunkEncoder.encode($0, planeWidth: 4, base: nil) }
        Shuffle.usesAVX512 = false
        let row = StoredChunk(id: 1, hash: Data(floats.withUnsafeBytes { ContentHash.ofChunk($0) }.bytes), filter: encoded.filter.rawValue,
                              width: encoded.width, rawSize: floats.count, baseID: nil, depth: 0, data: Data(encoded.data ?? floats))
        #expect(try ChunkDecoder.decode(chain: [row], verify: true) == floats)
        if !available { print("ChunkFilterTests: this CPU has no AVX-512 VBMI/GFNI; only the portable forms ran") }
    }

    @Test func legacyShuffledChunksStillDecode() throws {
        let floats = Self.bytes(Self.weights(250_001, seed: 8)) + [1, 2, 3]
        let width = 4, n = floats.count / width
        var shuffled = [UInt8](repeating: 0, count: floats.count)
        shuffled.withUnsafeMutableBytes { out in floats.withUnsafeBytes { Shuffle.split($0, width: width, into: out) } }
        var header: [UInt8] = [], body: [UInt8] = []
        for k in 0..<width {
            let plane = Array(shuffled[(k * n)..<((k + 1) * n)])
            let stored = k == 3 ? try #require(plane.withUnsafeBytes { LZ4.compress($0) }) : plane
            header += (0..<4).map { UInt8(truncatingIfNeeded: stored.count >> (8 * $0)) }
            body += stored
        }
        let data = Data(header + body + shuffled[(n * width)...])
        let hash = floats.withUnsafeBytes { ContentHash.ofChunk($0) }
        let row = StoredChunk(id: 1, hash: Data(hash.bytes), filter: ChunkFilter.shuffleLZ4.rawValue, width: width, rawSize: floats.count,
                              baseID: nil, depth: 0, data: data)
        #expect(try ChunkDecoder.decode(chain: [row], verify: true) == floats)
    }

    /// Damaged stored planes (any byte changed, or cut short) are refused or caught by the
    /// hash, never read out of bounds.
    @Test func damagedPlanesAreRefused() throws {
        let floats = Self.bytes(Self.weights(20_000, seed: 2)) + [9]
        let encoded = try Self.roundTrip(floats, width: 4)
        let data = try #require(encoded.data)
        let hash = floats.withUnsafeBytes { ContentHash.ofChunk($0) }
        var rng = SplitMix64(seed: 3)
        for trial in 0..<400 {
            var damaged = data
            if trial % 4 == 0 {
                damaged.removeLast(Int(rng.next() % UInt64(damaged.count)) + 1)
            } else {
                let at = trial < 100 ? Int(rng.next() % UInt64(PlaneCodec.headerEntry * 4 + PlaneCodec.bitsHeader)) : Int(rng.next() % UInt64(damaged.count))
                damaged[at] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            }
            let row = StoredChunk(id: 5, hash: Data(hash.bytes), filter: encoded.filter.rawValue, width: encoded.width, rawSize: floats.count,
                                  baseID: nil, depth: 0, data: Data(damaged))
            #expect(throws: StoreError.self) { _ = try ChunkDecoder.decode(chain: [row], verify: true) }
        }
    }

    @Test func aSmallStepIsStoredAsTheDifferenceFromItsParent() throws {
        let parent = Self.weights(1 << 18, seed: 11)
        let child = Self.step(parent, seed: 12)
        let full = try Self.roundTrip(Self.bytes(child), width: 4)
        let delta = try Self.roundTrip(Self.bytes(child), width: 4, base: Self.bytes(parent))
        #expect(delta.isDelta && delta.filter == .planesDifference, "filter \(delta.filter)")
        // Sign, exponent and the top mantissa bits do not change: two of the four bytes are
        // (nearly) free, the third mostly so.
        #expect(Double(delta.data!.count) < 0.66 * Double(child.count * 4) && delta.data!.count < full.data!.count * 4 / 5,
                "delta \(delta.data!.count) vs whole \(full.data!.count) of \(child.count * 4)")
        // A base of another size is never used.
        #expect(try !Self.roundTrip(Self.bytes(child), width: 4, base: Array(Self.bytes(parent).dropLast(4))).isDelta)
        // Widths the difference does not take (3) fall back to the XOR; bytes to LZ4 of the XOR.
        var rng = SplitMix64(seed: 13)
        let noise = (0..<(3 << 16)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let lowBytesMoved = noise.indices.map { $0 % 3 == 0 ? noise[$0] &+ UInt8(rng.next() % 16) : noise[$0] }
        let odd = try Self.roundTrip(lowBytesMoved, width: 3, base: noise)
        #expect(odd.isDelta && odd.filter == .planes, "width 3: filter \(odd.filter), delta \(odd.isDelta)")
        var zeros = [UInt8](repeating: 0, count: noise.count)
        zeros.replaceSubrange(0..<64, with: repeatElement(1, count: 64))
        let bytes = try Self.roundTrip(zip(noise, zeros).map { $0 ^ $1 }, width: 1, base: noise)
        #expect(bytes.isDelta && bytes.filter == .lz4, "bytes: filter \(bytes.filter), delta \(bytes.isDelta)")
    }

    /// Adam's second moment grows a little at every step, so each element moves by a small
    /// positive amount: its difference keeps the high bytes at zero where an XOR flips every
    /// bit a carry ran through, and it stores smaller than the XOR would.
    @Test func aGrowingMomentStoresSmallerAsADifferenceThanAsAnXor() throws {
        var rng = SplitMix64(seed: 31)
        let gradients = Self.weights(1 << 18, seed: 32, scale: 0.01)
        let parent = gradients.map { 0.05 * $0 * $0 }
        let child = zip(parent, gradients).map { v, g in 0.995 * v + 0.001 * (g * g) * Float(rng.uniform(0.5, 2)) }
        let delta = try Self.roundTrip(Self.bytes(child), width: 4, base: Self.bytes(parent))
        #expect(delta.filter == .planesDifference)
        let xor = zip(Self.bytes(child), Self.bytes(parent)).map { $0 ^ $1 }
        let asXor = xor.withUnsafeBytes { ChunkEncoder.shuffle($0, width: 4) }.withUnsafeBytes { planes in
            PlaneCodec.pack(planes, width: 4, plan: PlaneCodec.plan(planes, width: 4).plan) ?? xor
        }
        #expect(Double(delta.data!.count) < 0.97 * Double(asXor.count), "difference \(delta.data!.count), XOR \(asXor.count)")
    }

    /// `Shuffle.difference` and its inverse are exact for every width, with carries and borrows
    /// across the whole element (0 - max, max - 0, the sign bit) and a trailing partial element.
    @Test func differencesRoundTripAtEveryWidth() {
        var rng = SplitMix64(seed: 41)
        for width in [1, 2, 3, 4, 8] {
            for count in [0, 1, 7, 8, 9, 64, 1001] {
                var a = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                var b = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if count >= 16 { a.replaceSubrange(0..<8, with: repeatElement(0, count: 8)); b.replaceSubrange(0..<8, with: repeatElement(0xFF, count: 8)) }
                if count >= 24 { a.replaceSubrange(8..<16, with: repeatElement(0x80, count: 8)); b.replaceSubrange(8..<16, with: repeatElement(0x7F, count: 8)) }
                var d = [UInt8](repeating: 0, count: count), back = d
                d.withUnsafeMutableBytes { out in a.withUnsafeBytes { a in b.withUnsafeBytes { Shuffle.difference(a, $0, width: width, into: out) } } }
                back.withUnsafeMutableBytes { out in d.withUnsafeBytes { d in b.withUnsafeBytes { Shuffle.undifference(d, base: $0, width: width, into: out) } } }
                #expect(back == a, "width \(width), \(count) bytes")
                // In place, as the decoder calls it (the output over the difference).
                var inPlace = d
                inPlace.withUnsafeMutableBytes { out in b.withUnsafeBytes { Shuffle.undifference(UnsafeRawBufferPointer(out), base: $0, width: width, into: out) } }
                #expect(inPlace == a, "width \(width), \(count) bytes, in place")
                var scalar = [UInt8](repeating: 0, count: count)
                for i in 0..<count { scalar[i] = a[i] ^ b[i] }
                var xored = a
                xored.withUnsafeMutableBytes { out in b.withUnsafeBytes { Shuffle.xor(UnsafeRawBufferPointer(out), $0, into: out) } }
                #expect(xored == scalar, "XOR in place, \(count) bytes")
            }
        }
        // Zigzag: a step of +1 is 2, -1 is 1, in the low byte of the element.
        let base: [UInt32] = [1000, 1000], moved: [UInt32] = [1001, 999]
        var out = [UInt32](repeating: 7, count: 2)
        out.withUnsafeMutableBytes { o in moved.withUnsafeBytes { m in base.withUnsafeBytes { Shuffle.difference(m, $0, width: 4, into: o) } } }
        #expect(out == [2, 1])
    }

    /// A difference row without a base, or of a width the registry never writes, is damage.
    @Test func malformedDifferenceRowsAreRefused() throws {
        let child = Self.bytes(Self.step(Self.weights(4096, seed: 51), seed: 52))
        let hash = child.withUnsafeBytes { ContentHash.ofChunk($0) }
        let base = StoredChunk(id: 1, hash: Data(), filter: 0, width: 1, rawSize: child.count, baseID: nil, depth: 0, data: Data(child))
        let shuffled = child.withUnsafeBytes { ChunkEncoder.shuffle($0, width: 4) }
        let packed = try #require(shuffled.withUnsafeBytes { PlaneCodec.pack($0, width: 4, plan: PlaneCodec.plan($0, width: 4).plan) })
        let alone = StoredChunk(id: 2, hash: Data(hash.bytes), filter: ChunkFilter.planesDifference.rawValue, width: 4, rawSize: child.count,
                                baseID: nil, depth: 0, data: Data(packed))
        #expect(throws: StoreError.self) { _ = try ChunkDecoder.decode(chain: [alone], verify: false) }
        var odd = alone
        (odd.width, odd.baseID, odd.depth) = (3, 1, 1)
        #expect(throws: StoreError.self) { _ = try ChunkDecoder.decode(chain: [odd, base], verify: false) }
    }

    /// A training run through the registry: deltas are used, chains stay within `maxDepth`,
    /// every checkpoint loads exactly, and rm + gc keep the bases live chunks need.
    @Test func checkpointChainsStayBoundedAndExact() throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path + "/registry.db"
            let registry = try ModelRegistry(path: path)
            try registry.beginTrainingSession(run: "run", policy: RetentionPolicy(maxToKeep: 100, keepEveryHours: 10_000))
            var w = Self.weights(600_000, seed: 21)  // 2.4 MB: three chunks, the last one short
            let frozen = Self.weights(300_000, seed: 22)
            var saved: [[Float]] = []
            var raw: Int64 = 0, stored: Int64 = 0, deltas = 0
            let checkpoints = ContentWriter.maxDepth * 2 + 3
            for i in 1...checkpoints {
                w = Self.step(w, seed: UInt64(100 + i))
                saved.append(w)
                let result = try registry.saveCheckpoint(run: "run", step: Int64(i), tensors: [
                    NamedTensor(name: "dense/kernel", floats: w, shape: [600, 1000]),
                    NamedTensor(name: "frozen/kernel", floats: frozen, shape: [300, 1000]),
                    NamedTensor(name: "global_step", int64: Int64(i)),
                ], metaGraphs: [])
                raw += result.statistics.rawBytes
                stored += result.statistics.storedBytes
                deltas += result.statistics.deltaChunks
                if i > 1 { #expect(result.statistics.dedupBytes >= Int64(frozen.count * 4), "the frozen layer must cost nothing") }
            }
            #expect(deltas >= (checkpoints - 3) * 2, "only \(deltas) delta chunks")
            #expect(Double(stored) < 0.5 * Double(raw), "stored \(stored) of \(raw)")
            let queue = try DatabaseQueue(path: path)
            let deepest = try queue.read { try Int.fetchOne($0, sql: "SELECT MAX(depth) FROM chunks") ?? 0 }
            #expect(deepest == ContentWriter.maxDepth)
            for (i, weights) in saved.enumerated() {
                let loaded = try registry.loadTensors(VersionReference(model: "run", selector: .number(Int64(i + 1))))
                #expect(loaded["dense/kernel"]?.floats == weights, "checkpoint \(i + 1) does not load exactly")
            }
            // Removing the older half keeps every chunk the newer half depends on.
            for n in 1...(checkpoints / 2) { try registry.remove(VersionReference(model: "run", selector: .number(Int64(n)))) }
            _ = try registry.collectGarbage()
            #expect(try registry.verify().problems.isEmpty)
            for n in (checkpoints / 2 + 1)...checkpoints {
                let loaded = try registry.loadTensors(VersionReference(model: "run", selector: .number(Int64(n))))
                #expect(loaded["dense/kernel"]?.floats == saved[n - 1])
            }
            try registry.removeModel("run")
            let report = try registry.collectGarbage()
            #expect(report.chunksRemoved > 0)
            #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM chunks") } == 0)
        }
    }

    /// A damaged link (a chain that loops, or a base that is gone) is an error naming the chunk.
    @Test func brokenChainsAreDamageNotHangs() throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path + "/registry.db"
            let registry = try ModelRegistry(path: path)
            try registry.beginTrainingSession(run: "run", policy: RetentionPolicy(maxToKeep: 10, keepEveryHours: 10_000))
            let w = Self.weights(300_000, seed: 5)
            for (i, weights) in [w, Self.step(w, seed: 6)].enumerated() {
                _ = try registry.saveCheckpoint(run: "run", step: Int64(i), tensors: [NamedTensor(name: "k", floats: weights, shape: [300_000])], metaGraphs: [])
            }
            let queue = try DatabaseQueue(path: path)
            let delta = try queue.read { try Int64.fetchOne($0, sql: "SELECT id FROM chunks WHERE base_id IS NOT NULL LIMIT 1") }
            let id = try #require(delta)
            let original = try queue.read { try Row.fetchOne($0, sql: "SELECT base_id, depth FROM chunks WHERE id = ?", arguments: [id])! }
            for damage in ["UPDATE chunks SET base_id = id, depth = 1 WHERE id = ?", "UPDATE chunks SET base_id = 999999 WHERE id = ?"] {
                try queue.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA foreign_keys = OFF")
                    try db.execute(sql: damage, arguments: [id])
                }
                let problems = try registry.verify().problems
                #expect(problems.count == 1 && problems.first?.version == 2 && problems.first?.detail.contains("chunk \(id)") == true, "\(damage): \(problems)")
                try queue.writeWithoutTransaction { db in
                    try db.execute(sql: "UPDATE chunks SET base_id = ?, depth = ? WHERE id = ?", arguments: [original[0] as Int64?, original[1] as Int, id])
                }
            }
            #expect(try registry.verify().problems.isEmpty)
        }
    }
}

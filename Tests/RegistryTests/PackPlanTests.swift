import Foundation
import Testing
import TestSupport
@testable import RegistryRemote
@testable import RegistryStore

/// How versions are cut into packs (`PackPlan`): boundaries that depend on the chunks alone,
/// so that a checkpoint whose one tensor changed shares every other pack with the one before,
/// and manifests that stay far under the 4 MiB registries accept whatever the model's size.
@Suite struct PackPlanTests {
    static func chunks(_ count: Int, size: Int = 1 << 20, seed: UInt64) -> [PackPlan.Chunk] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            PackPlan.Chunk(hash: ContentHash(bytes: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }), size: size)
        }
    }

    @Test func packsStayWithinTheirBoundsAndCoverEveryChunkOnce() {
        let chunks = Self.chunks(3000, seed: 1) + Self.chunks(500, size: 700, seed: 2)
        let ranges = PackPlan.boundaries(chunks)
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == chunks.count)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        let target = PackPlan.target(total: chunks.reduce(0) { $0 + Int64($1.size) })
        #expect(target == 8 << 20)
        for range in ranges.dropLast() {
            let bytes = chunks[range].reduce(Int64(0)) { $0 + Int64($1.size) }
            #expect(bytes >= target / 4 && bytes < 4 * target + (1 << 20) && range.count <= PackPlan.maxChunksPerPack)
        }
        #expect(PackPlan.boundaries(chunks) == ranges, "boundaries are a function of the chunks")
        let header = PackPlan.header(chunks[ranges[0]])
        #expect(header.count == PackPlan.headerSize(count: ranges[0].count))
        #expect(throws: Never.self) { try PackPlan.parseHeader(header, count: ranges[0].count, what: "test") }
        #expect(throws: RemoteError.self) { try PackPlan.parseHeader(header, count: ranges[0].count + 1, what: "test") }
    }

    /// One tensor of a 1 GiB checkpoint changes (16 chunks of 1,024): the packs that differ
    /// hold those chunks and a few neighbours, not the rest.
    @Test func aChangedTensorChangesOnlyThePacksAroundIt() {
        let before = Self.chunks(1024, seed: 7)
        var after = before
        after.replaceSubrange(500..<516, with: Self.chunks(16, seed: 8))
        func packs(_ chunks: [PackPlan.Chunk]) -> [[ContentHash]: Int64] {
            Dictionary(uniqueKeysWithValues: PackPlan.boundaries(chunks).map { range in
                (chunks[range].map(\.hash), chunks[range].reduce(Int64(0)) { $0 + Int64($1.size) })
            })
        }
        let old = packs(before), new = packs(after)
        let resent = new.filter { old[$0.key] == nil }.values.reduce(0, +)
        #expect(resent >= 16 << 20, "the changed chunks are sent")
        #expect(resent <= 16 << 20 + 4 * (8 << 20) * 2, "re-sent \(resent >> 20) MiB of 1 GiB")
        #expect(new.count - new.filter { old[$0.key] == nil }.count >= new.count - 6, "most packs are shared")
    }

    /// 10 GiB: a target of 8 MiB; 1 TiB: the target grows so that the manifest stays small.
    @Test func manifestsStayUnderFourMebibytesForATebibyte() throws {
        let ten = try PackPlan.estimateManifest(totalBytes: 10 << 30)
        #expect(ten.bytes < 512 << 10 && ten.packs < 2000, "10 GiB: \(ten.packs) packs, \(ten.bytes) bytes of manifest")
        #expect(PackPlan.target(total: Int64(1) << 40) == 256 << 20)
        let tera = try PackPlan.estimateManifest(totalBytes: 1 << 40)
        #expect(tera.bytes < 4 << 20, "1 TiB: \(tera.packs) packs, \(tera.bytes) bytes of manifest")
        // The worst case: every pack closed at a quarter of the target.
        let worst = Int((Int64(1) << 40) / (PackPlan.target(total: Int64(1) << 40) / 4))
        let chunks = Self.chunks(worst, size: 64 << 20, seed: 4)
        #expect(try PackPlan.manifestSize(chunks, (0..<worst).map { $0..<($0 + 1) }) < 4 << 20)
    }

    @Test func configScanRefusesUnknownKeysAndInflatedValues() throws {
        #expect(throws: Never.self) { try ConfigScan.check(Data(#"{"format":3,"labels":{"x,y":"{"},"contents":[{"runs":[0,4]}]}"#.utf8), what: "c") }
        #expect(throws: RemoteError.self) { try ConfigScan.check(Data(#"{"format":3,"padding":[]}"#.utf8), what: "c") }
        #expect(throws: RemoteError.self) { try ConfigScan.check(Data(#"{"format":3,"pa\"dding":1}"#.utf8), what: "c") }
        let inflated = #"{"format":3,"tensors":["# + String(repeating: "1,", count: 100_000) + "1]}"
        #expect(throws: RemoteError.self) { try ConfigScan.check(Data(inflated.utf8), what: "c") }
        let deep = #"{"format":3,"metrics":"# + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "}"
        #expect(throws: RemoteError.self) { try ConfigScan.check(Data(deep.utf8), what: "c") }
    }
}

import Foundation
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// Thousands of seeded random mutations of a real `variables.index`: each one decodes (and
/// then re-encodes to the same index) or throws a `FormatError` that names the file.
///
/// Real TensorFlow-written fixture bytes are damaged in memory or in a temporary copy; the
/// fixtures themselves are never written to. Helpers: `Support/BadInputSupport.swift`.
@Suite struct MutationTests: BadInputSuite {
    // MARK: 13. Seeded mutation loop

    @Test func mutatedIndexesDecodeOrThrowFormatError() throws {
        let original = try fileBytes(Self.seedIndexPath)
        let layout = try TableLayout(original)
        let name = "mutant/variables.index"
        var rng = BadInputRNG(seed: 0x5eed_1dec_0de5_eed5)
        var outcomes: [String: Int] = [:]
        var unnamed = 0
        for round in 0..<2_000 {
            var bytes = original
            let kind = rng.below(10)
            switch kind {
            case 0:  // flip 1-3 bits anywhere
                for _ in 0...rng.below(3) { bytes[rng.below(bytes.count)] ^= UInt8(1) << UInt8(rng.below(8)) }
            case 1:  // truncate
                bytes.removeLast(1 + rng.below(bytes.count))
            case 2:  // insert 1-8 random bytes
                let at = rng.below(bytes.count + 1)
                bytes.insert(contentsOf: (0...rng.below(8)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
            case 3:  // delete a range
                let at = rng.below(bytes.count)
                bytes.removeSubrange(at..<min(bytes.count, at + 1 + rng.below(16)))
            case 4:  // a special byte value somewhere
                bytes[rng.below(bytes.count)] = [0x00, 0xff, 0x80, 0x7f, 0x01][rng.below(5)]
            case 5, 6, 7:  // damage the data block, then make its crc right so the parsers see it
                let block = layout.dataBlocks[0]
                for _ in 0...rng.below(4) {
                    let at = Int(block.offset) + rng.below(Int(block.size))
                    bytes[at] = rng.below(2) == 0 ? bytes[at] ^ (UInt8(1) << UInt8(rng.below(8))) : UInt8(truncatingIfNeeded: rng.next())
                }
                refreshTrailer(&bytes, block)
            case 8:  // same for the index block
                let at = Int(layout.index.offset) + rng.below(Int(layout.index.size))
                bytes[at] ^= UInt8(1) << UInt8(rng.below(8))
                refreshTrailer(&bytes, layout.index)
            default:  // damage the footer handles (no crc guards them)
                bytes[bytes.count - TableFooter.size + rng.below(TableFooter.size - 8)] = UInt8(truncatingIfNeeded: rng.next())
            }
            do {
                let index = try BundleIndex.decode(bytes, file: name)
                // Whatever decodes can be encoded again (sorted unique keys) and decodes the same.
                let again = try BundleIndex.decode(index.encode(), file: name)
                if again != index { Issue.record("round \(round): re-encoded index differs") }
                outcomes["decoded", default: 0] += 1
            } catch {
                outcomes[error.kind.rawValue, default: 0] += 1
                if !error.description.contains(name) {
                    unnamed += 1
                    if unnamed < 5 { Issue.record("round \(round) (mutation \(kind)): error does not name the file: \(error)") }
                }
            }
        }
        #expect(outcomes.values.reduce(0, +) == 2_000)
        #expect(unnamed == 0)
        // The crc fix-ups let mutants reach the block and protobuf parsers, not just the crc check.
        #expect(outcomes["corrupt", default: 0] > 100, "\(outcomes)")
        #expect(outcomes["checksumMismatch", default: 0] > 100, "\(outcomes)")
    }
}

/// xorshift64: deterministic, so a failing mutant can be replayed by its round number.
private struct BadInputRNG {
    var state: UInt64

    init(seed: UInt64) { state = seed == 0 ? 1 : seed }

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    /// A value in 0..<bound (bound > 0).
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

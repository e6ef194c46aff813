import CShuffle

/// `CShuffle`'s byte and bit shuffles, byte maps, XORs and differences, wrapped once, as
/// `LZ4` wraps liblz4: callers hand raw buffers, whose sizes are checked here, and never bind
/// memory or see C pointers. The sizes come from chunks the caller holds, so a mismatch is a
/// bug, not bad input: a precondition.
enum Shuffle {
    /// Byte k of every `width`-byte element to plane k, planes one after another (a trailing
    /// partial element is copied as is). `out` holds as many bytes as `input`.
    static func split(_ input: UnsafeRawBufferPointer, width: Int, into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count == input.count && width >= 1)
        guard let source = input.baseAddress, let target = out.baseAddress else { return }
        registry_shuffle(bytes(target), bytes(source), input.count, width)
    }

    /// The inverse of `split`.
    static func join(_ input: UnsafeRawBufferPointer, width: Int, into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count == input.count && width >= 1)
        guard let source = input.baseAddress, let target = out.baseAddress else { return }
        registry_unshuffle(bytes(target), bytes(source), input.count, width)
    }

    /// `join` with the planes anywhere: plane k holds byte k of each of the `out.count / width`
    /// elements, `tail` the bytes of a trailing partial element.
    static func join(planes: [UnsafeRawBufferPointer], tail: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        let width = planes.count, n = out.count / max(width, 1)
        precondition(width >= 1 && planes.allSatisfy { $0.count == n } && tail.count == out.count - n * width)
        guard let target = out.baseAddress else { return }
        let pointers: [UnsafePointer<UInt8>?] = planes.map { $0.baseAddress.map(bytes) }
        registry_unshuffle_planes(bytes(target), pointers, tail.baseAddress.map(bytes), out.count, width)
    }

    /// Bit b of byte i to bit i % 8 of byte i / 8 of bit plane b: the eight planes of
    /// `input.count / 8` bytes each, one after another, at the start of `out`.
    static func splitBits(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count >= input.count / 8 * 8)
        guard let source = input.baseAddress, let target = out.baseAddress else { return }
        registry_bitshuffle(bytes(target), bytes(source), input.count)
    }

    /// The inverse of `splitBits` with the eight bit planes anywhere and `tail` the last
    /// `out.count % 8` bytes, each byte then mapped through `table` (ranks back to values).
    static func joinBits(planes: [UnsafeRawBufferPointer], tail: UnsafeRawBufferPointer, through table: [UInt8],
                         into out: UnsafeMutableRawBufferPointer) {
        let m = out.count / 8
        precondition(planes.count == 8 && planes.allSatisfy { $0.count == m } && tail.count == out.count - 8 * m && table.count == 256)
        guard let target = out.baseAddress else { return }
        let pointers: [UnsafePointer<UInt8>?] = planes.map { $0.baseAddress.map(bytes) }
        pointers.withUnsafeBufferPointer { planes in
            table.withUnsafeBufferPointer { registry_bitunshuffle(bytes(target), planes.baseAddress!, tail.baseAddress.map(bytes), out.count, $0.baseAddress!) }
        }
    }

    /// out[i] = table[input[i]]; `out` may be `input`.
    static func map(_ input: UnsafeRawBufferPointer, through table: [UInt8], into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count >= input.count && table.count == 256)
        guard let source = input.baseAddress, let target = out.baseAddress else { return }
        table.withUnsafeBufferPointer { registry_byte_map(bytes(target), bytes(source), input.count, $0.baseAddress!) }
    }

    /// How many of the bytes take each value.
    static func histogram(_ input: UnsafeRawBufferPointer) -> [UInt32] {
        var counts = [UInt32](repeating: 0, count: 256)
        counts.withUnsafeMutableBufferPointer { registry_byte_histogram($0.baseAddress!, input.baseAddress.map(bytes), input.count) }
        return counts
    }

    /// out[i] = a[i] ^ b[i]; `out` may be `a` or `b`.
    static func xor(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        precondition(a.count == b.count && out.count == a.count)
        guard let x = a.baseAddress, let y = b.baseAddress, let target = out.baseAddress else { return }
        registry_xor(bytes(target), bytes(x), bytes(y), out.count)
    }

    /// The zigzag difference of `width`-byte little-endian integers, a − b (`registry_difference`);
    /// `out` may be `a` or `b`.
    static func difference(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, width: Int, into out: UnsafeMutableRawBufferPointer) {
        precondition(a.count == b.count && out.count == a.count)
        guard let x = a.baseAddress, let y = b.baseAddress, let target = out.baseAddress else { return }
        registry_difference(bytes(target), bytes(x), bytes(y), out.count, width)
    }

    /// The inverse of `difference`: base + unzigzag(diff); `out` may be `diff` or `base`.
    static func undifference(_ diff: UnsafeRawBufferPointer, base: UnsafeRawBufferPointer, width: Int, into out: UnsafeMutableRawBufferPointer) {
        precondition(diff.count == base.count && out.count == diff.count)
        guard let x = diff.baseAddress, let y = base.baseAddress, let target = out.baseAddress else { return }
        registry_undifference(bytes(target), bytes(x), bytes(y), out.count, width)
    }

    /// Whether the bit shuffles and the byte map run their AVX-512 forms (where the CPU has VBMI
    /// and GFNI); tests turn them off to compare with the portable forms.
    static var usesAVX512: Bool {
        get { registry_shuffle_avx512(-1) == 1 }
        set { _ = registry_shuffle_avx512(newValue ? 1 : 0) }
    }

    private static func bytes(_ pointer: UnsafeRawPointer) -> UnsafePointer<UInt8> { pointer.assumingMemoryBound(to: UInt8.self) }
    private static func bytes(_ pointer: UnsafeMutableRawPointer) -> UnsafeMutablePointer<UInt8> { pointer.assumingMemoryBound(to: UInt8.self) }
}

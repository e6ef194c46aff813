/// numpy's legacy `np.random.RandomState(seed)`, bit for bit, for the draws the founding
/// example uses. (numpy sources: `_mt19937.pyx` `_legacy_seeding`, `mt19937.c`,
/// `distributions.c`, `_bounded_integers.pyx.in`, `mtrand.pyx`.)
///
/// - Seeding with an integer: `mt19937_seed(state, seed)`, the reference `init_genrand`:
///   `key[0] = seed; key[i] = 1812433253 · (key[i−1] ^ (key[i−1] >> 30)) + i`, position 624
///   (so the first draw regenerates the whole block).
/// - `random_sample()`: `a = next32 >> 5`, `b = next32 >> 6`, `(a · 2^26 + b) / 2^53`.
/// - `randint(low, high)`: RandomState always uses the masked rejection method. For the
///   default dtype (int64) and int32 alike, a range `rng = high − 1 − low` that fits in 32
///   bits draws `next32 & mask` (mask = smallest 2^k − 1 ≥ rng) until the value is ≤ rng —
///   one full 32-bit draw per try, no sharing of a draw between values. Wider ranges draw
///   64 bits per try (`next32 << 32 | next32`, high word first).
public struct RandomState: Sendable, Equatable {
    private static let n = 624
    private static let m = 397

    private var key: [UInt32]
    private var position: Int

    public init(seed: UInt32) {
        var key = [UInt32](repeating: 0, count: Self.n)
        key[0] = seed
        for i in 1..<Self.n {
            let previous = key[i - 1]
            key[i] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(i)
        }
        self.key = key
        self.position = Self.n
    }

    /// The next raw 32-bit output of MT19937 (tempered).
    public mutating func nextUInt32() -> UInt32 {
        if position >= Self.n { regenerate() }
        var y = key[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// numpy's `next_uint64` for MT19937: two 32-bit draws, the first is the high word.
    public mutating func nextUInt64() -> UInt64 {
        let high = UInt64(nextUInt32())
        return high << 32 | UInt64(nextUInt32())
    }

    /// `random_sample()`: a Double in [0, 1) with 53 random bits.
    public mutating func randomSample() -> Double {
        let a = Double(nextUInt32() >> 5)
        let b = Double(nextUInt32() >> 6)
        return (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// `random_sample(count)`, in order.
    public mutating func randomSample(count: Int) -> [Double] {
        (0..<count).map { _ in randomSample() }
    }

    /// `randint(low, high)`: an integer in `low..<high`, by masked rejection.
    public mutating func randint(_ low: Int64, _ high: Int64) -> Int64 {
        precondition(low < high, "RandomState.randint: low >= high")
        let range = UInt64(bitPattern: high &- 1 &- low)  // closed interval [low, low + range]
        if range == 0 { return low }
        var mask = range
        mask |= mask >> 1
        mask |= mask >> 2
        mask |= mask >> 4
        mask |= mask >> 8
        mask |= mask >> 16
        mask |= mask >> 32
        var value: UInt64
        if range <= 0xFFFF_FFFF {
            repeat { value = UInt64(nextUInt32()) & mask } while value > range
        } else {
            repeat { value = nextUInt64() & mask } while value > range
        }
        return low &+ Int64(bitPattern: value)
    }

    /// `randint(low, high, size=count)`, in order.
    public mutating func randint(_ low: Int64, _ high: Int64, count: Int) -> [Int64] {
        (0..<count).map { _ in randint(low, high) }
    }

    private mutating func regenerate() {
        let n = Self.n, m = Self.m
        let upper: UInt32 = 0x8000_0000, lower: UInt32 = 0x7FFF_FFFF, matrixA: UInt32 = 0x9908_B0DF
        for i in 0..<n {
            let y = (key[i] & upper) | (key[(i + 1) % n] & lower)
            key[i] = key[(i + m) % n] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : matrixA)
        }
        position = 0
    }
}

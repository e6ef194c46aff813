import Testing
@testable import Train

/// Expected values come from numpy 2.4.6 (`np.random.RandomState`), an independent
/// implementation.
@Suite struct RandomStateTests {
    @Test func randomSampleThenRandintMatchNumpy() {
        // r = RandomState(1234); r.random_sample(3); r.randint(0, 5, size=10)
        var r = RandomState(seed: 1234)
        #expect(r.randomSample(count: 3) == [0.1915194503788923, 0.6221087710398319, 0.4377277390071145])
        #expect(r.randint(0, 5, count: 10) == [0, 1, 1, 1, 2, 3, 4, 4, 2, 2])
    }

    @Test func rawOutputsMatchNumpyAndTheReference() {
        // RandomState(s).randint(0, 2**32, dtype=np.uint64) returns raw 32-bit outputs.
        var r = RandomState(seed: 1234)
        #expect((0..<5).map { _ in r.nextUInt32() } == [822569775, 2137449171, 2671936806, 3512589365, 1880026316])
        // init_genrand(5489), the reference MT19937's default: first output 3499211612.
        var reference = RandomState(seed: 5489)
        #expect((0..<3).map { _ in reference.nextUInt32() } == [3499211612, 581869302, 3890346734])
    }

    @Test func seedsAtTheEdges() {
        var zero = RandomState(seed: 0)
        #expect(zero.randomSample(count: 2) == [0.5488135039273248, 0.7151893663724195])
        var top = RandomState(seed: UInt32.max)
        #expect(top.randomSample(count: 2) == [0.0976320289940138, 0.9123828453026218])
    }

    @Test func crossesTheStateRegeneration() {
        // 700 doubles take 1400 draws: two regenerations of the 624-word state.
        var r = RandomState(seed: 1234)
        let x = r.randomSample(count: 700)
        #expect(x[311] == 0.17590426942327275 && x[312] == 0.07069617875044265 && x[699] == 0.2792084352318073)
    }

    @Test func randintRanges() {
        // Negative low: randint(-3, 4, size=12) (same for dtype int32; int8 differs, it buffers).
        var r = RandomState(seed: 7)
        #expect(r.randint(-3, 4, count: 12) == [1, -2, 3, 0, 0, 1, -2, 3, -3, -2, 3, -1])
        // A range wider than 32 bits draws 64 bits per try, the first 32-bit draw high.
        var wide = RandomState(seed: 7)
        #expect(wide.randint(0, 1 << 40, count: 4) == [752595690692, 108744157686, 291964244179, 650496783975])
        // An empty range draws nothing: randint(5, 6, size=3) then random_sample().
        var one = RandomState(seed: 7)
        #expect(one.randint(5, 6, count: 3) == [5, 5, 5])
        #expect(one.randomSample() == 0.07630828937395717)
    }

    /// The fixture's data: RandomState(1234).random_sample((1600, 28)) as float32, then
    /// randint(0, 5, size=1600) from the same state, as int32.
    @Test func datasetReproducesTheFixtureExactly() throws {
        let fixture = try TrainFixtures.dataset()
        let ours = Dataset(seed: 1234)
        #expect(ours.inputs.rows == 1600 && ours.inputs.columns == 28 && ours.labels.count == 1600)
        #expect(ours.inputs.values.map(\.bitPattern) == fixture.inputs.values.map(\.bitPattern))
        #expect(ours.labels == fixture.labels)
        #expect(ours == fixture)
        #expect(ours.batchCount == 50)
        #expect(ours.batch(49).labels == Array(fixture.labels[1568..<1600]))
    }
}

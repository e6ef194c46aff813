import Testing
@testable import Train

@Suite struct LayerSpecTests {
    /// The seed network chains: each layer's inputs are the previous layer's outputs.
    @Test func seedNetworkChains() {
        let layers = LayerSpec.seedNetwork
        #expect(layers.first?.inputs == 28 && layers.last?.outputs == 5)
        for (a, b) in zip(layers, layers.dropFirst()) { #expect(a.outputs == b.inputs) }
        #expect(layers.last?.relu == false)
    }
}

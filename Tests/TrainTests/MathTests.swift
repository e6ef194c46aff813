import Foundation
import Testing
@testable import Train

@Suite struct MathTests {
    /// A naive float64 product for reference.
    static func naive(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        a.map { row in (0..<b[0].count).map { c in zip(row, b).reduce(0) { $0 + $1.0 * $1.1[c] } } }
    }

    static func nested(_ m: Matrix) -> [[Double]] { (0..<m.rows).map { m.row($0).map(Double.init) } }

    @Test func gemmMatchesNaiveProductForEveryTransposeCombination() {
        var rng = RandomState(seed: 3)
        func random(_ rows: Int, _ columns: Int) -> Matrix {
            Matrix(rows: rows, columns: columns, values: (0..<(rows * columns)).map { _ in Float(rng.randomSample() * 2 - 1) })
        }
        let (m, k, n) = (5, 7, 3)
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                let a = transposeA ? random(k, m) : random(m, k)
                let b = transposeB ? random(n, k) : random(k, n)
                var c = random(m, n)
                let c0 = c
                BLAS.gemm(a, transposeA: transposeA, b, transposeB: transposeB, alpha: 0.5, beta: 2, into: &c)
                let ab = Self.naive(Self.nested(transposeA ? a.transposed : a), Self.nested(transposeB ? b.transposed : b))
                for r in 0..<m {
                    for col in 0..<n {
                        let expected = 0.5 * ab[r][col] + 2 * Double(c0[r, col])
                        #expect(abs(Double(c[r, col]) - expected) < 1e-5, "tA=\(transposeA) tB=\(transposeB) (\(r),\(col))")
                    }
                }
            }
        }
    }

    @Test func gemmEdgeShapes() {
        // k = 0: the product is zero, beta scales c.
        var c = Matrix(rows: 2, columns: 2, repeating: 3)
        BLAS.gemm(Matrix(rows: 2, columns: 0), Matrix(rows: 0, columns: 2), beta: 0.5, into: &c)
        #expect(c.values == [1.5, 1.5, 1.5, 1.5])
        // Empty result.
        let empty = BLAS.product(Matrix(rows: 0, columns: 4), Matrix(rows: 4, columns: 3))
        #expect(empty.rows == 0 && empty.columns == 3)
        // 1×1.
        #expect(BLAS.product(Matrix([[3]]), Matrix([[4]])).values == [12])
    }

    @Test func matrixBasics() {
        var m = Matrix([[1, 2, 3], [4, 5, 6]])
        #expect(m.transposed == Matrix([[1, 4], [2, 5], [3, 6]]))
        #expect(m.columnSums() == [5, 7, 9])
        #expect(m.rows(1..<2) == Matrix([[4, 5, 6]]))
        m.addRowVector([10, 20, 30])
        #expect(m.values == [11, 22, 33, 14, 25, 36])
        m[1, 2] = -1
        #expect(m[1, 2] == -1 && m.row(1) == [14, 25, -1])
        #expect(Matrix([[1, 2]]).matmul(Matrix([[3], [4]])) == Matrix([[11]]))
    }

    // MARK: Softmax cross-entropy

    @Test func softmaxCrossEntropyByHand() {
        // Values from float64 numpy: loss_i = log Σ exp(l − max) − (l_label − max).
        let logits = Matrix([[1, 2, 3], [0, 0, 0], [1000, 0, -1000]])
        let result = SoftmaxCrossEntropy.evaluate(logits: logits, labels: [2, 1, 0])
        let perExample: [Double] = [0.4076059644443804, 1.0986122886681098, 0]
        for (got, want) in zip(result.perExample, perExample) { #expect(abs(Double(got) - want) < 1e-6) }
        #expect(abs(Double(result.loss) - perExample.reduce(0, +) / 3) < 1e-6)
        // d(mean)/d(logits) = (softmax − onehot) / batch.
        let softmax: [[Double]] = [[0.09003057317038046, 0.24472847105479764, 0.6652409557748218],
                                   [1.0 / 3, 1.0 / 3, 1.0 / 3], [1, 0, 0]]
        let onehot: [[Double]] = [[0, 0, 1], [0, 1, 0], [1, 0, 0]]
        for r in 0..<3 {
            for c in 0..<3 {
                let want = (softmax[r][c] - onehot[r][c]) / 3
                #expect(abs(Double(result.logitsGradient[r, c]) - want) < 1e-7, "(\(r),\(c))")
            }
        }
        #expect(result.logitsGradient.values.allSatisfy { $0.isFinite })
        // Every row is correct; row 1 is a three-way tie, which in_top_k counts for the target.
        #expect(result.correct == 3)
    }

    @Test func softmaxCrossEntropyTiesCountAsCorrect() {
        // Row 1 of the test above: [0, 0, 0] with label 1 — no logit is strictly greater.
        let result = SoftmaxCrossEntropy.evaluate(logits: Matrix([[0, 0, 0]]), labels: [1])
        #expect(result.correct == 1)
    }

    @Test func inTopKFollowsTensorFlow() {
        let logits = Matrix([[1, 1, 0], [1, 1, 0], [1, 1, 0], [.nan, 0, 0], [0, .infinity, 0], [2, -.infinity, 0], [0, 3, 2]])
        let got = SoftmaxCrossEntropy.inTopK(logits: logits, labels: [0, 1, 2, 1, 1, 0, 1], k: 1)
        // Ties count for the target; any non-finite logit in the row makes it incorrect.
        #expect(got == [true, true, false, false, false, false, true])
        #expect(SoftmaxCrossEntropy.inTopK(logits: Matrix([[0, 3, 2]]), labels: [2], k: 2) == [true])
    }

    // MARK: Gradient check

    /// The tiny network's loss in float64, written independently of the module.
    static func referenceLoss(_ layers: [(kernel: [[Double]], bias: [Double], relu: Bool)], _ x: [[Double]], _ labels: [Int]) -> Double {
        var total = 0.0
        for (row, label) in zip(x, labels) {
            var h = row
            for layer in layers {
                var out = layer.bias
                for j in out.indices { for i in h.indices { out[j] += h[i] * layer.kernel[i][j] } }
                h = layer.relu ? out.map { max($0, 0) } : out
            }
            let mx = h.max()!
            total += log(h.map { exp($0 - mx) }.reduce(0, +)) - (h[label] - mx)
        }
        return total / Double(x.count)
    }

    @Test func backwardMatchesFiniteDifferences() {
        let specs = [LayerSpec(name: "a", inputs: 3, outputs: 4, relu: true),
                     LayerSpec(name: "b", inputs: 4, outputs: 4, relu: true),
                     LayerSpec(name: "c", inputs: 4, outputs: 3, relu: false)]
        var rng = RandomState(seed: 42)
        let layers = specs.map { spec in
            DenseLayer(spec: spec,
                       kernel: Matrix(rows: spec.inputs, columns: spec.outputs,
                                      values: (0..<(spec.inputs * spec.outputs)).map { _ in Float(rng.randomSample() * 2 - 1) }),
                       bias: (0..<spec.outputs).map { _ in Float(rng.randomSample() * 0.2) })
        }
        let network = Network(layers: layers)
        let x = Matrix(rows: 6, columns: 3, values: (0..<18).map { _ in Float(rng.randomSample() * 2 - 1) })
        let labels: [Int32] = [0, 1, 2, 2, 1, 0]

        let activations = network.forward(x)
        let loss = SoftmaxCrossEntropy.evaluate(logits: activations.logits, labels: labels)
        let gradients = network.backward(activations, logitsGradient: loss.logitsGradient)

        var reference = layers.map { layer in
            (kernel: (0..<layer.kernel.rows).map { layer.kernel.row($0).map(Double.init) },
             bias: layer.bias.map(Double.init), relu: layer.spec.relu)
        }
        let xs = (0..<x.rows).map { x.row($0).map(Double.init) }
        let ls = labels.map(Int.init)
        #expect(abs(Self.referenceLoss(reference, xs, ls) - Double(loss.loss)) < 1e-5)

        let h = 1e-6
        var checked = 0
        for l in reference.indices {
            for i in 0..<specs[l].inputs {
                for j in 0..<specs[l].outputs {
                    let saved = reference[l].kernel[i][j]
                    reference[l].kernel[i][j] = saved + h
                    let plus = Self.referenceLoss(reference, xs, ls)
                    reference[l].kernel[i][j] = saved - h
                    let minus = Self.referenceLoss(reference, xs, ls)
                    reference[l].kernel[i][j] = saved
                    let numeric = (plus - minus) / (2 * h)
                    let analytic = Double(gradients[l].kernel[i, j])
                    #expect(abs(numeric - analytic) < 1e-5 + 1e-3 * abs(numeric), "layer \(l) kernel (\(i),\(j)): \(analytic) vs \(numeric)")
                    checked += 1
                }
            }
            for j in 0..<specs[l].outputs {
                let saved = reference[l].bias[j]
                reference[l].bias[j] = saved + h
                let plus = Self.referenceLoss(reference, xs, ls)
                reference[l].bias[j] = saved - h
                let minus = Self.referenceLoss(reference, xs, ls)
                reference[l].bias[j] = saved
                let numeric = (plus - minus) / (2 * h)
                let analytic = Double(gradients[l].bias[j])
                #expect(abs(numeric - analytic) < 1e-5 + 1e-3 * abs(numeric), "layer \(l) bias \(j): \(analytic) vs \(numeric)")
                checked += 1
            }
        }
        #expect(checked == 3 * 4 + 4 + 4 * 4 + 4 + 4 * 3 + 3)
        // The check is only meaningful if some gradients are far from zero.
        #expect(gradients.flatMap { $0.kernel.values + $0.bias }.contains { abs($0) > 1e-2 })
    }
}

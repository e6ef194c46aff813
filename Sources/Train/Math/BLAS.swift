import COpenBLAS

/// Why the network cannot be trained on this machine.
public enum BLASError: Error, Equatable, CustomStringConvertible {
    case unavailable(reason: String)

    public var description: String {
        switch self {
        case .unavailable(let reason):
            "OpenBLAS could not be loaded (\(reason)); install it with `apt-get install libopenblas0` (`make deps` does)"
        }
    }
}

/// The one door to OpenBLAS. Nothing else in the module imports COpenBLAS or touches a
/// pointer: callers pass `Matrix` values and get checked shapes. The library is loaded on
/// first use, so commands that do not train never start its threads.
public enum BLAS {
    /// nil once OpenBLAS is loaded; the loader's message otherwise.
    private static let loadFailure: String? = {
        var message = [UInt8](repeating: 0, count: 512)
        let loaded = message.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { registry_blas_load($0.baseAddress, $0.count) == 0 }
        }
        return loaded ? nil : String(decoding: message.prefix { $0 != 0 }, as: UTF8.self)
    }()

    /// Loads OpenBLAS now, so that a missing library is an error before training starts
    /// rather than a stop at the first product.
    public static func load() throws(BLASError) {
        if let loadFailure { throw .unavailable(reason: loadFailure) }
    }

    /// `c ← alpha · op(a) · op(b) + beta · c`, where `op(x)` is `x` or its transpose.
    /// `c` must already have the shape of the product; with `beta == 0` its old values are
    /// ignored (BLAS semantics: not even NaNs propagate).
    public static func gemm(_ a: Matrix, transposeA: Bool = false,
                            _ b: Matrix, transposeB: Bool = false,
                            alpha: Float = 1, beta: Float = 0, into c: inout Matrix) {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        precondition(a.values.count == a.rows * a.columns && b.values.count == b.rows * b.columns,
                     "BLAS.gemm: operand storage does not match its shape")
        precondition(k == kb, "BLAS.gemm: inner dimensions differ (\(m)×\(k) · \(kb)×\(n))")
        precondition(c.rows == m && c.columns == n && c.values.count == m * n,
                     "BLAS.gemm: result is \(c.rows)×\(c.columns), product is \(m)×\(n)")
        if m == 0 || n == 0 { return }
        if k == 0 {
            // Nothing to multiply: c ← beta · c (BLAS would reject lda = 0 in some builds).
            for i in c.values.indices { c.values[i] = beta == 0 ? 0 : beta * c.values[i] }
            return
        }
        precondition(max(m, n, k, a.columns, b.columns) <= Int(Int32.max), "BLAS.gemm: dimension too large")
        if let loadFailure { fatalError(BLASError.unavailable(reason: loadFailure).description) }
        let lda = Int32(max(1, a.columns))
        let ldb = Int32(max(1, b.columns))
        let ldc = Int32(max(1, n))
        a.values.withUnsafeBufferPointer { pa in
            b.values.withUnsafeBufferPointer { pb in
                c.values.withUnsafeMutableBufferPointer { pc in
                    registry_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0,
                                   Int32(m), Int32(n), Int32(k),
                                   alpha, pa.baseAddress, lda,
                                   pb.baseAddress, ldb,
                                   beta, pc.baseAddress, ldc)
                }
            }
        }
    }

    /// `alpha · op(a) · op(b)` as a new matrix.
    public static func product(_ a: Matrix, transposeA: Bool = false,
                               _ b: Matrix, transposeB: Bool = false,
                               alpha: Float = 1) -> Matrix {
        var c = Matrix(rows: transposeA ? a.columns : a.rows, columns: transposeB ? b.rows : b.columns)
        gemm(a, transposeA: transposeA, b, transposeB: transposeB, alpha: alpha, beta: 0, into: &c)
        return c
    }
}

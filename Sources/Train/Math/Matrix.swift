/// A dense row-major matrix of Float32: element (r, c) is `values[r * columns + c]`.
/// A value type; the layout is TensorFlow's (and numpy's C order) for a rank-2 tensor.
public struct Matrix: Sendable, Equatable, CustomStringConvertible {
    public private(set) var rows: Int
    public private(set) var columns: Int
    /// The elements, row after row. Keep exactly `rows * columns` of them when mutating in
    /// place (every BLAS call checks).
    public var values: [Float]

    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative dimension \(rows)×\(columns)")
        precondition(values.count == rows * columns, "Matrix: \(values.count) values for \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        self.init(rows: rows, columns: columns, values: Array(repeating: value, count: rows * columns))
    }

    /// Builds a matrix from nested rows, which must all have the same length.
    public init(_ nested: [[Float]]) {
        let columns = nested.first?.count ?? 0
        precondition(nested.allSatisfy { $0.count == columns }, "Matrix: ragged rows")
        self.init(rows: nested.count, columns: columns, values: nested.flatMap { $0 })
    }

    public var count: Int { values.count }

    public subscript(row: Int, column: Int) -> Float {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix: (\(row), \(column)) outside \(rows)×\(columns)")
            return values[row * columns + column]
        }
        set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix: (\(row), \(column)) outside \(rows)×\(columns)")
            values[row * columns + column] = newValue
        }
    }

    /// One row as an array.
    public func row(_ index: Int) -> [Float] {
        precondition(index >= 0 && index < rows, "Matrix: row \(index) outside 0..<\(rows)")
        return Array(values[(index * columns)..<((index + 1) * columns)])
    }

    /// Rows `range` as a new matrix (a batch of consecutive examples).
    public func rows(_ range: Range<Int>) -> Matrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "Matrix: rows \(range) outside 0..<\(rows)")
        return Matrix(rows: range.count, columns: columns,
                      values: Array(values[(range.lowerBound * columns)..<(range.upperBound * columns)]))
    }

    public var transposed: Matrix {
        var out = [Float](repeating: 0, count: values.count)
        for r in 0..<rows {
            for c in 0..<columns { out[c * rows + r] = values[r * columns + c] }
        }
        return Matrix(rows: columns, columns: rows, values: out)
    }

    /// `self · other` (through BLAS).
    public func matmul(_ other: Matrix) -> Matrix { BLAS.product(self, other) }

    /// Adds `vector` to every row (TensorFlow's BiasAdd).
    public mutating func addRowVector(_ vector: [Float]) {
        precondition(vector.count == columns, "Matrix: adding \(vector.count) to rows of \(columns)")
        for r in 0..<rows {
            let base = r * columns
            for c in 0..<columns { values[base + c] += vector[c] }
        }
    }

    /// Sum over the rows: one value per column (the bias gradient of a batch).
    public func columnSums() -> [Float] {
        var sums = [Float](repeating: 0, count: columns)
        for r in 0..<rows {
            let base = r * columns
            for c in 0..<columns { sums[c] += values[base + c] }
        }
        return sums
    }

    /// The same elements viewed with another shape of equal size.
    public func reshaped(rows: Int, columns: Int) -> Matrix { Matrix(rows: rows, columns: columns, values: values) }

    public var description: String { "Matrix(\(rows)×\(columns))" }
}

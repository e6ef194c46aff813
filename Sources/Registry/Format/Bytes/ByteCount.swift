extension Int64 {
    /// `self + other`, held at `.max` (or `.min`) instead of trapping: for totals of sizes read
    /// from the database, which a damaged row (a size of 2^62) can make overflow.
    package func clampedAdding(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    /// A byte count SQLite summed as a float (`TOTAL`, which cannot fail with "integer
    /// overflow" as `SUM` does): held between 0 and `.max`.
    package init(byteTotal value: Double) {
        self = value >= 0x1p63 ? .max : Int64(Swift.max(0, value))
    }
}

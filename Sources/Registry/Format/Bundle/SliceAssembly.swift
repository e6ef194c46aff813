extension BundleReader {
    /// The full value of a tensor as TensorFlow's checkpoint reader returns it: the entry's
    /// bytes, or for a partitioned tensor the slices copied into place (fixed-size dtypes).
    public func fullValue(of entry: BundleEntry) throws(FormatError) -> [UInt8] {
        guard !entry.slices.isEmpty else { return try read(entry) }
        let file = prefix + ".index"
        guard let elementSize = entry.dtype.elementSize, let total = entry.minimumSize else {
            throw .unsupported(file: file, detail: "partitioned \(entry.dtype) tensor '\(entry.displayName)'")
        }
        // The full entry holds no data, so its shape is only checked for arithmetic: bound it by
        // the bytes the data files really hold before allocating it.
        let stored = (0..<index.header.numShards).reduce(Int64(0)) { $0 &+ dataFileSize(shard: $1) }
        guard total <= stored else {
            throw .corrupt(file: file, entry: entry.displayName,
                           detail: "shape \(entry.shape) of \(entry.dtype) needs \(total) bytes but the data files hold \(stored)")
        }
        var full = [UInt8](repeating: 0, count: Int(total))
        for slice in entry.slices {
            let key = TensorSliceKey(name: entry.key, slice: slice).encoded
            // A part of another dtype, or one that is itself partitioned, would not hold the
            // bytes the copy below takes from it.
            guard let part = index.entry(forKey: key), let sliceShape = slice.shape(in: entry.shape), part.shape == sliceShape,
                  part.dtype == entry.dtype, part.slices.isEmpty else {
                throw .corrupt(file: file, entry: entry.displayName, detail: "slice \(slice) has no matching slice entry")
            }
            let bytes = try read(part)
            Self.copy(slice: bytes, shape: sliceShape, starts: slice.extents.map(\.start), into: &full,
                      fullShape: entry.shape, elementSize: elementSize)
        }
        return full
    }

    /// Copies a row-major slice into a row-major tensor, one innermost run at a time.
    static func copy(slice: [UInt8], shape: [Int64], starts: [Int64], into full: inout [UInt8], fullShape: [Int64], elementSize: Int) {
        let rank = shape.count
        guard rank > 0 else { full.replaceSubrange(0..<slice.count, with: slice); return }
        guard !shape.contains(0) else { return }
        var strides = [Int](repeating: elementSize, count: rank)
        for d in stride(from: rank - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * Int(fullShape[d + 1]) }
        let run = Int(shape[rank - 1]) * elementSize
        var index = [Int](repeating: 0, count: rank - 1)
        var source = 0
        while true {
            var target = Int(starts[rank - 1]) * elementSize
            for d in 0..<(rank - 1) { target += (Int(starts[d]) + index[d]) * strides[d] }
            full.replaceSubrange(target..<(target + run), with: slice[source..<(source + run)])
            source += run
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                if index[d] < Int(shape[d]) { break }
                index[d] = 0
                d -= 1
            }
            if d < 0 { break }
        }
    }
}

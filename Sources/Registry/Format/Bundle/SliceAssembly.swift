/// A partitioned tensor's full value from its slices, wherever their bytes are kept: the
/// full entry lists the slices (and holds no data); each slice is an entry of its own under a
/// binary slice key, copied into place row by row. `BundleReader` assembles from data files,
/// the store from its contents.
package enum SliceAssembly {
    /// The full value of `entry` (fixed-size dtypes): `part` finds a slice's entry, `read`
    /// its bytes; `available` bounds the size (the bytes the slices' home really holds), so a
    /// crafted shape cannot allocate more. `file` names the source in errors.
    package static func assemble(_ entry: BundleEntry, file: String, available: Int64,
                                 part: (TensorSliceKey) throws -> BundleEntry?, read: (BundleEntry) throws -> [UInt8]) throws -> [UInt8] {
        guard let elementSize = entry.dtype.elementSize, let total = entry.minimumSize else {
            throw FormatError.unsupported(file: file, detail: "partitioned \(entry.dtype) tensor '\(entry.displayName)'")
        }
        // The full entry holds no data, so its shape is only checked for arithmetic: bound it by
        // the bytes its home really holds before allocating it.
        guard total <= available else {
            throw FormatError.corrupt(file: file, entry: entry.displayName,
                                      detail: "shape \(entry.shape) of \(entry.dtype) needs \(total) bytes but the data it is assembled from holds only \(available)")
        }
        var full = [UInt8](repeating: 0, count: Int(total))
        for slice in entry.slices {
            // A part of another dtype, or one that is itself partitioned, would not hold the
            // bytes the copy below takes from it.
            guard let piece = try part(TensorSliceKey(name: entry.key, slice: slice)), let sliceShape = slice.shape(in: entry.shape),
                  piece.shape == sliceShape, piece.dtype == entry.dtype, piece.slices.isEmpty else {
                throw FormatError.corrupt(file: file, entry: entry.displayName, detail: "slice \(slice) has no matching slice entry")
            }
            let bytes = try read(piece)
            guard bytes.count == Int(piece.minimumSize ?? -1) else {
                throw FormatError.corrupt(file: file, entry: piece.displayName, detail: "\(bytes.count) bytes for a slice of shape \(sliceShape)")
            }
            copy(slice: bytes, shape: sliceShape, starts: slice.extents.map(\.start), into: &full, fullShape: entry.shape, elementSize: elementSize)
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

extension BundleReader {
    /// The full value of a tensor as TensorFlow's checkpoint reader returns it: the entry's
    /// bytes, or for a partitioned tensor the slices copied into place (fixed-size dtypes).
    public func fullValue(of entry: BundleEntry) throws(FormatError) -> [UInt8] {
        guard !entry.slices.isEmpty else { return try read(entry) }
        let stored = (0..<index.header.numShards).reduce(Int64(0)) { $0 &+ dataFile(shard: $1).size }
        do {
            return try SliceAssembly.assemble(entry, file: prefix + ".index", available: stored,
                                              part: { index.entry(forKey: $0.encoded) }, read: { try read($0) })
        } catch let error as FormatError {
            throw error
        } catch {
            throw .corrupt(file: prefix + ".index", entry: entry.displayName, detail: "\(error)")
        }
    }
}

/// Copies a bundle so that every byte lands where it was: the shape TF's readers expect and
/// what a byte-exact export needs. Streams each tensor, checking its crc32c on the way.
public enum BundleCopy {
    public static let chunkSize = 1 << 20

    public static func copy(_ reader: BundleReader, toPrefix prefix: String) throws(FormatError) {
        let writer = try BundleWriter(prefix: prefix, header: reader.index.header)
        for entry in reader.index.entries {
            try writer.record(entry)
            guard entry.slices.isEmpty, entry.size > 0 else { continue }
            var done: Int64 = 0
            do {
                try reader.stream(entry, chunkSize: chunkSize) { piece in
                    try writer.place(entry, payload: piece, at: done)
                    done += Int64(piece.count)
                }
            } catch let error as FormatError {
                throw error
            } catch {
                throw .io(file: prefix, operation: "copy \(entry.displayName)", reason: "\(error)")
            }
        }
        for shard in 0..<reader.index.header.numShards {
            try writer.finishShard(shard, size: reader.dataFileSize(shard: shard), sync: false)
        }
        try writer.finish()
    }
}

/// Where a bundle's tensors lie in their data shards. TensorFlow's `BundleWriter` appends each
/// tensor after the previous one, so the tensors of a shard never overlap and end exactly where
/// their sizes add up to. A layout that breaks either rule cannot come from TensorFlow, and
/// written back it would be a bomb: an offset of 2^43 makes an 8 TiB sparse file, overlapping
/// extents let one stored byte stand for many. Import, export and `verify` all hold it to them.
public enum BundleLayout {
    /// Checks the extents of `entries` (partitioned tensors' full entries hold none): within
    /// each shard no two overlap, and the last ends no later than the shard's sizes add up to.
    /// `file` names the index (or the stored version) in errors.
    public static func check(_ entries: some Sequence<BundleEntry>, file: String) throws(FormatError) {
        var byShard: [Int32: [BundleEntry]] = [:]
        for entry in entries where entry.slices.isEmpty { byShard[entry.shardID, default: []].append(entry) }
        for (shard, extents) in byShard.sorted(by: { $0.key < $1.key }) {
            let sorted = extents.sorted { ($0.offset, $0.size) < ($1.offset, $1.size) }
            var total: Int64 = 0, end: Int64 = 0
            var previous: BundleEntry?
            for entry in sorted {
                // validate(header:) has bounded each extent: offset + size does not overflow.
                if let before = previous, entry.size > 0, entry.offset < before.offset + before.size {
                    throw .corrupt(file: file, entry: entry.displayName, detail: "its bytes \(entry.offset)..<\(entry.offset + entry.size) "
                                   + "overlap those of '\(before.displayName)' (\(before.offset)..<\(before.offset + before.size)) in shard \(shard)")
                }
                if entry.size > 0 { previous = entry }
                let (sum, overflow) = total.addingReportingOverflow(entry.size)
                total = overflow ? .max : sum
                end = max(end, entry.offset + entry.size)
            }
            guard end <= total else {
                throw .corrupt(file: file, entry: nil, detail: "the tensors of shard \(shard) reach byte \(end) but hold only \(total) bytes; "
                               + "TensorFlow packs a shard's tensors without gaps")
            }
        }
    }
}

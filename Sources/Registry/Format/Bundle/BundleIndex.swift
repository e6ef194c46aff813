import Foundation
import SwiftProtobuf

/// A bundle's `.index` file decoded: the header and every entry in key order, each checked
/// for what can be checked without the data files (dtype, shape arithmetic, shard ids).
public struct BundleIndex: Hashable, Sendable {
    public var header: BundleHeader
    /// Sorted bytewise by key, unique.
    public var entries: [BundleEntry]

    public init(header: BundleHeader, entries: [BundleEntry]) {
        self.header = header
        self.entries = entries
    }

    /// Decodes and validates an index file's bytes; `file` names it in errors.
    public static func decode(_ bytes: [UInt8], file: String) throws(FormatError) -> BundleIndex {
        let table = try TableReader(bytes: bytes, file: file)
        guard let first = table.entries.first, first.key.isEmpty else {
            throw .corrupt(file: file, entry: nil, detail: "no header entry under the empty key")
        }
        let header: BundleHeader
        do {
            header = BundleHeader(proto: try Tensorflow_BundleHeaderProto(serializedBytes: first.value))
        } catch {
            throw .corrupt(file: file, entry: "(header)", detail: "not a BundleHeaderProto")
        }
        try header.validate(file: file)
        var entries: [BundleEntry] = []
        entries.reserveCapacity(table.entries.count - 1)
        for raw in table.entries.dropFirst() {
            let entry = try BundleEntry(key: raw.key, encodedValue: raw.value, file: file)
            try entry.validate(header: header, file: file)
            entries.append(entry)
        }
        return BundleIndex(header: header, entries: entries)
    }

    /// The index file TensorFlow would write for these entries, byte for byte.
    public func encode() -> [UInt8] {
        var builder = TableBuilder()
        builder.add(key: [], value: header.encodedValue)
        for entry in entries {
            builder.add(key: entry.key, value: entry.encodedValue)
        }
        return builder.finish()
    }

    public func entry(forKey key: [UInt8]) -> BundleEntry? {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].key.lexicographicallyPrecedes(key) { low = mid + 1 } else { high = mid }
        }
        return low < entries.count && entries[low].key == key ? entries[low] : nil
    }

    public func entry(named name: String) -> BundleEntry? { entry(forKey: Array(name.utf8)) }
}

extension BundleEntry {
    /// Bytes the entry must occupy for fixed-size dtypes, or the least it can for strings
    /// and variants; nil when the shape's arithmetic overflows.
    var minimumSize: Int64? {
        guard let count = elementCount else { return nil }
        if let elementSize = dtype.elementSize {
            let (bytes, overflow) = count.multipliedReportingOverflow(by: Int64(elementSize))
            return overflow ? nil : bytes
        }
        if dtype == .string {  // one varint byte per length, then the 4-byte length checksum
            let (bytes, overflow) = count.addingReportingOverflow(4)
            return overflow ? nil : bytes
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: 5)  // variant: varint + checksum
        return overflow ? nil : bytes
    }

    package func validate(header: BundleHeader, file: String) throws(FormatError) {
        let name = displayName
        func fail(_ detail: String) -> FormatError { .corrupt(file: file, entry: name, detail: detail) }
        guard dtype.isStorable else {
            throw fail("dtype \(dtype) cannot be stored in a bundle")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("negative dimension in shape \(shape)") }
        guard let minimum = minimumSize else {
            throw fail("shape \(shape) of \(dtype) has more bytes than any file can hold")
        }
        if !slices.isEmpty {
            guard size == 0, offset == 0 else { throw fail("a partitioned tensor's full entry must hold no data") }
            for slice in slices where slice.shape(in: shape) == nil {
                throw fail("slice \(slice) does not fit shape \(shape)")
            }
            return
        }
        guard shardID >= 0, shardID < header.numShards else {
            throw fail("shard \(shardID) is outside the bundle's \(header.numShards) shards")
        }
        guard offset >= 0, size >= 0, !offset.addingReportingOverflow(size).overflow else {
            throw fail("offset \(offset) / size \(size) are not a valid extent")
        }
        if dtype.elementSize != nil {
            guard size == minimum else {
                throw fail("size \(size) does not match shape \(shape) of \(dtype) (\(minimum) bytes)")
            }
        } else if size < minimum {
            throw fail("size \(size) is too small for \(elementCount ?? 0) \(dtype) elements")
        }
    }
}

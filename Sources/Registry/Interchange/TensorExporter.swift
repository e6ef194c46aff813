import Foundation
import RegistryFormat
import RegistryStore

/// Reads one tensor of a stored version without exporting the version: only that tensor's
/// chunks (a partitioned tensor's slices) are read, checked against its entry, and handed on
/// as raw element bytes or as a `.npy` file.
package struct TensorExporter {
    /// How the tensor is written.
    package enum Form: String, Codable, Sendable {
        /// Fixed-size dtypes: the elements' little-endian bytes in C order, as TensorFlow keeps
        /// them; strings: each element as a little-endian uint64 length and its bytes.
        case raw
        /// A numpy `.npy` file (`NPYFormat`).
        case npy
    }

    /// What was written, for the caller's report.
    package struct Written {
        package var name: String
        package var entry: BundleEntry
        /// The `.npy`'s numpy type (nil for raw).
        package var descr: String?
        package var bytes: Int64
    }

    /// A `.npy` of strings is refused past this many bytes, or 16 times the stored strings,
    /// whichever is larger: padding every element to the longest could otherwise turn a few
    /// long strings among many short ones into gigabytes.
    static let paddedStringLimit = 64 << 20

    let session: StoreSession
    let version: VersionRecord
    /// `MODEL:N`, for messages.
    let label: String

    package init(session: StoreSession, version: VersionRecord, label: String) {
        self.session = session
        self.version = version
        self.label = label
    }

    /// Writes the tensor named `name` (its key, else its name as `show` prints it) to `sink`,
    /// in order. A fixed-size tensor streams chunk by chunk and its size and crc32c are checked
    /// at the end (a sink that cannot take back what it got must then discard it); strings and
    /// partitioned tensors are checked before anything is written.
    package func write(tensor name: String, form: Form, to sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Written {
        guard let row = try session.tensor(versionID: version.id!, key: Array(name.utf8), orName: name) else {
            throw InterchangeError.tensorNotFound(version: label, name: name)
        }
        let entry = try row.bundleEntry()
        let what = "\(label) tensor \(row.name)"
        if form == .npy && entry.shape.count > NPYFormat.maxRank {
            throw InterchangeError.tensorUnrepresentable(
                tensor: what, reason: "its \(entry.shape.count) dimensions are more than a numpy array has (\(NPYFormat.maxRank)); read it without --npy")
        }
        var written = Written(name: row.name, entry: entry, descr: nil, bytes: 0)
        func emit(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes(sink)
            written.bytes += Int64(bytes.count)
        }
        if entry.dtype == .string {
            let (descr, bytes) = try strings(row, entry: entry, form: form, what: what)
            written.descr = descr
            try emit(bytes)
            return written
        }
        guard let descr = NPYFormat.descr(for: entry.dtype) else {
            throw InterchangeError.tensorUnrepresentable(tensor: what, reason: "a \(entry.dtype) tensor has no numpy or raw form")
        }
        if form == .npy {
            written.descr = descr
            try emit(NPYFormat.header(descr: descr, shape: entry.shape))
        }
        if !entry.slices.isEmpty {
            try emit(try assemble(entry, what: what))
            return written
        }
        var size: Int64 = 0, crc: UInt32 = 0
        if let contentID = row.contentID {
            try ContentReader(session).stream(contentID) { piece in
                crc = CRC32C.extend(crc, piece)
                size += Int64(piece.count)
                try sink(piece)
            }
        }
        try entry.checkStored(size: size, crc: crc, what: what)
        written.bytes += size
        return written
    }

    /// A stored tensor's bytes, checked against its entry.
    private func payload(_ row: TensorRecord, entry: BundleEntry, what: String) throws -> [UInt8] {
        let bytes = try row.contentID.map { try ContentReader(session).read($0) } ?? []
        try entry.checkStored(bytes, what: what)
        return bytes
    }

    /// A string tensor in `form`, with the `.npy`'s numpy type.
    private func strings(_ row: TensorRecord, entry: BundleEntry, form: Form, what: String) throws -> (descr: String?, bytes: [UInt8]) {
        let payload = try payload(row, entry: entry, what: what)
        guard let count = entry.elementCount, entry.slices.isEmpty else {
            throw InterchangeError.tensorUnrepresentable(tensor: what, reason: "a partitioned string tensor is not supported")
        }
        let elements = try StringTensor.decode(payload, count: Int(count), file: label, entry: row.name)
        guard form == .npy else {
            var bytes: [UInt8] = []
            for element in elements {
                ByteWriter.appendUInt64LE(UInt64(element.count), to: &bytes)
                bytes += element
            }
            return (nil, bytes)
        }
        let limit = max(Self.paddedStringLimit, 16 * payload.count)
        guard let npy = NPYFormat.strings(elements, shape: entry.shape, limit: limit) else {
            throw InterchangeError.tensorUnrepresentable(
                tensor: what, reason: "padding its \(count) strings to the longest would take more than \(limit) bytes; read it without --npy")
        }
        return (npy.descr, npy.bytes)
    }

    /// A partitioned tensor's full value from its stored slices.
    private func assemble(_ entry: BundleEntry, what: String) throws -> [UInt8] {
        let versionID = version.id!
        var rows: [[UInt8]: TensorRecord] = [:]
        return try SliceAssembly.assemble(
            entry, file: what, available: try session.tensorBytes(versionID: versionID),
            part: { key in
                let encoded = key.encoded
                guard let row = try session.tensor(versionID: versionID, key: encoded) else { return nil }
                rows[encoded] = row
                return try row.bundleEntry()
            },
            read: { part in try payload(rows[part.key]!, entry: part, what: "\(label) tensor \(part.displayName)") })
    }
}

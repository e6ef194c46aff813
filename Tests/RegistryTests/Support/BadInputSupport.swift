import Foundation
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// What the bad-input suites share: the fixture files they damage and a small clean table.
protocol BadInputSuite {}

extension BadInputSuite {
    static var seedIndexPath: String { Fixtures.path("seed_mlp_training/variables/variables.index") }
    static var seedDataPath: String { Fixtures.path("seed_mlp_training/variables/variables.data-00000-of-00001") }
    static var seedGraphPath: String { Fixtures.path("seed_mlp_training/saved_model.pb") }
    static var zooPrefix: String { Fixtures.path("dtypes_zoo/variables/variables") }

    /// A two-entry index (header + one float) whose data block starts with the header entry.
    static func smallTable() -> [UInt8] {
        var builder = TableBuilder()
        builder.add(key: [], value: BundleHeader().encodedValue)
        builder.add(key: Array("a".utf8),
                    value: BundleEntry(key: Array("a".utf8), dtype: .float32, shape: [], size: 4, maskedCRC32C: 0).encodedValue)
        return builder.finish()
    }
}

typealias CraftedEntry = (key: [UInt8], value: [UInt8])

/// The kind of a `FormatError`, and the file and entry it names, for assertions.
enum FormatErrorKind: String {
    case truncated, corrupt, checksumMismatch, unsupported, missing, io, unsafePath, invalidText
}

extension FormatError {
    var kind: FormatErrorKind {
        switch self {
        case .truncated: return .truncated
        case .corrupt: return .corrupt
        case .checksumMismatch: return .checksumMismatch
        case .unsupported: return .unsupported
        case .missing: return .missing
        case .io: return .io
        case .unsafePath: return .unsafePath
        case .invalidText: return .invalidText
        }
    }

    var entryName: String? {
        switch self {
        case let .corrupt(_, entry, _): return entry
        case let .checksumMismatch(_, entry, _, _): return entry
        default: return nil
        }
    }
}

/// The block handles of a table, read from its footer and index block.
struct TableLayout {
    var dataBlocks: [BlockHandle]
    var metaindex: BlockHandle
    var index: BlockHandle

    init(_ bytes: [UInt8]) throws {
        var footer = ByteReader(bytes, from: bytes.count - TableFooter.size)
        metaindex = try BlockHandle.decode(&footer)
        index = try BlockHandle.decode(&footer)
        dataBlocks = try TableReader(bytes: bytes, file: "layout").dataBlocks
    }
}

/// Recomputes a block's trailer crc after its contents (or type byte) were changed:
/// trailer = type byte + masked crc32c(contents ‖ type) little-endian.
func refreshTrailer(_ bytes: inout [UInt8], _ block: BlockHandle) {
    let start = Int(block.offset), end = Int(block.offset + block.size)
    let type = bytes[end]
    let masked = CRC32C.mask(CRC32C.extend(CRC32C.checksum(bytes[start..<end]), [type]))
    var trailer: [UInt8] = []
    ByteWriter.appendUInt32LE(masked, to: &trailer)
    bytes.replaceSubrange((end + 1)..<(end + 5), with: trailer)
}

/// A table file built by hand: each data block holds its entries in the order given (no
/// ordering check, unlike `TableBuilder`), then the empty metaindex, the index block (one
/// entry per data block, keyed by `indexKeys` or by 0xff, above every test key) and the footer.
func assembleTable(blocks: [[CraftedEntry]], indexKeys: [[UInt8]]? = nil) -> [UInt8] {
    assembleTable(contents: blocks.map { entries in
        var block = BlockBuilder(restartInterval: 16)
        for entry in entries { block.add(key: entry.key, value: entry.value) }
        return block.finish()
    }, indexKeys: indexKeys)
}

/// The same from finished block contents (entries, restart array and count).
func assembleTable(contents blocks: [[UInt8]], indexKeys: [[UInt8]]? = nil) -> [UInt8] {
    var out: [UInt8] = []
    func write(_ contents: [UInt8]) -> BlockHandle {
        let handle = BlockHandle(offset: UInt64(out.count), size: UInt64(contents.count))
        out += contents
        out.append(0)
        ByteWriter.appendUInt32LE(CRC32C.mask(CRC32C.extend(CRC32C.checksum(contents), [UInt8(0)])), to: &out)
        return handle
    }
    var index = BlockBuilder(restartInterval: 1)
    for (i, contents) in blocks.enumerated() {
        let handle = write(contents)
        index.add(key: indexKeys?[i] ?? [0xff], value: handle.encoded)
    }
    var meta = BlockBuilder(restartInterval: 16)
    let metaHandle = write(meta.finish())
    let indexHandle = write(index.finish())
    out += TableFooter(metaindex: metaHandle, index: indexHandle).encoded
    return out
}

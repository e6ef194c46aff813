/// Why a TensorFlow file could not be read or written: each case names the file, and the
/// entry where there is one, so a user can tell which of their files is at fault.
public enum FormatError: CodedError, Equatable {
    /// The file ends before a structure it promises (a block, an entry, a footer).
    case truncated(file: String, detail: String)
    /// A structure is present but its content breaks the format's rules.
    case corrupt(file: String, entry: String?, detail: String)
    /// Stored and computed crc32c disagree: the bytes changed since they were written.
    case checksumMismatch(file: String, entry: String?, expected: UInt32, actual: UInt32)
    /// Legal in the format, but not something this tool reads or writes.
    case unsupported(file: String, detail: String)
    /// A file or folder the layout requires is not there.
    case missing(file: String, detail: String)
    /// The operating system refused an operation on the file.
    case io(file: String, operation: String, reason: String)
    /// A name that would escape its folder or is otherwise unsafe to use as a path.
    case unsafePath(file: String, detail: String)
    /// Protobuf text that does not parse as the message it should hold, with the line where it goes wrong.
    case invalidText(file: String, line: Int, detail: String)

    public var description: String {
        switch self {
        case let .truncated(file, detail):
            return "\(file): truncated: \(detail); the file is incomplete, copy or export it again"
        case let .corrupt(file, entry, detail):
            return "\(file)\(Self.entryPart(entry)): corrupt: \(detail)"
        case let .checksumMismatch(file, entry, expected, actual):
            return "\(file)\(Self.entryPart(entry)): crc32c mismatch (stored \(Self.hex(expected)), computed "
                + "\(Self.hex(actual))); the bytes were damaged after TensorFlow wrote them"
        case let .unsupported(file, detail):
            return "\(file): unsupported: \(detail)"
        case let .missing(file, detail):
            return "\(file): missing: \(detail)"
        case let .io(file, operation, reason):
            return "\(file): cannot \(operation): \(reason)"
        case let .unsafePath(file, detail):
            return "\(file): refused: \(detail)"
        case let .invalidText(file, line, detail):
            return "\(file):\(line): \(detail); correct line \(line) and try again"
        }
    }

    public var code: String {
        switch self {
        case .truncated: "file_truncated"
        case .corrupt: "file_corrupt"
        case .checksumMismatch: "checksum_mismatch"
        case .unsupported: "format_unsupported"
        case .missing: "file_missing"
        case .io: "io_failed"
        case .unsafePath: "unsafe_path"
        case .invalidText: "text_format_invalid"
        }
    }

    public var category: ErrorCategory {
        switch self {
        case .truncated, .corrupt, .checksumMismatch: .damaged
        case .unsupported: .unsupported
        case .missing: .notFound
        case .io: .environment
        case .unsafePath, .invalidText: .invalidInput
        }
    }

    /// What is wrong, without the advice of `description` (which assumes a file on disk):
    /// for callers that report the same fault about bytes kept elsewhere.
    package var detail: String {
        switch self {
        case let .checksumMismatch(_, entry, expected, actual):
            return "\(entry.map { "'\(SafeText.name($0))': " } ?? "")crc32c mismatch (recorded \(Self.hex(expected)), computed \(Self.hex(actual)))"
        case let .corrupt(_, entry, detail):
            return "\(entry.map { "'\(SafeText.name($0))': " } ?? "")\(detail)"
        case let .truncated(_, detail), let .unsupported(_, detail), let .missing(_, detail), let .unsafePath(_, detail),
             let .invalidText(_, _, detail):
            return detail
        case let .io(_, operation, reason):
            return "cannot \(operation): \(reason)"
        }
    }

    private static func entryPart(_ entry: String?) -> String {
        entry.map { ": entry '\(SafeText.name($0))'" } ?? ""
    }

    private static func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}

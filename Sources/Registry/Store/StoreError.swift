/// Why the registry's database refused an operation; each message says what to do.
public enum StoreError: Error, CustomStringConvertible, Sendable {
    /// The database was written by a newer `registry` with migrations this binary lacks.
    case newerSchema(path: String, unknown: [String])
    /// Stored bytes no longer match their recorded hash, size or crc32c.
    case damaged(what: String, detail: String)
    /// The file is not a registry database or cannot be opened.
    case unusable(path: String, detail: String)

    public var description: String {
        switch self {
        case let .newerSchema(path, unknown):
            return "\(path): written by a newer registry (migrations \(unknown.joined(separator: ", ")) unknown here); upgrade registry to use it"
        case let .damaged(what, detail):
            return "\(what) is damaged: \(detail); run `registry verify` to list every damaged version"
        case let .unusable(path, detail):
            return "\(path): cannot use this registry database: \(detail)"
        }
    }
}

import RegistryFormat

/// Why the registry's database refused an operation, or found its own bytes damaged; each
/// message says what to do.
public enum StoreError: CodedError, Equatable {
    /// The database was written by a newer `registry` with migrations this binary lacks.
    case newerSchema(path: String, unknown: [String])
    /// Bytes stored in the registry no longer match their recorded hash, size or crc32c: the
    /// one error for damage inside the registry, wherever it is found (pull, load, verify).
    case damaged(what: String, detail: String)
    /// The path cannot be used as a registry file (a symbolic link, a folder).
    case unsafePath(path: String, reason: String)
    /// The file is not a registry database or cannot be opened.
    case unusable(path: String, detail: String)
    /// The file or its folder cannot be written (permissions, a read-only mount).
    case readOnly(path: String)
    /// Another process held the write lock for longer than the busy timeout.
    case locked(path: String)
    /// The file system has no room left for the write.
    case diskFull(path: String)
    /// A verb that does not create the registry found no file at its path.
    case noRegistry(path: String)

    public var description: String {
        switch self {
        case let .newerSchema(path, unknown):
            return "\(path): written by a newer registry (migrations \(unknown.joined(separator: ", ")) unknown here); upgrade registry to use it"
        case let .damaged(what, detail):
            return "\(what) is damaged inside the registry: \(detail); `registry verify` lists every damaged version, "
                + "and pushing the original again stores its bytes anew"
        case let .unsafePath(path, reason):
            return "\(path): \(reason)"
        case let .unusable(path, detail):
            return "\(path): cannot use this registry database: \(detail)"
        case let .readOnly(path):
            return "\(path): the registry cannot be written (read-only file, folder or mount); nothing was changed. "
                + "Fix the permissions or point --registry at a writable copy"
        case let .locked(path):
            return "\(path): another process kept the registry locked past the busy timeout; nothing was changed. Try again when it is done"
        case let .diskFull(path):
            return "\(path): the disk is full; nothing was changed. Free space (`registry gc` may help) and try again"
        case let .noRegistry(path):
            return "no registry at \(path); `registry push` creates one"
        }
    }
}

import GRDB

extension StoreError {
    public var code: String {
        switch self {
        case .newerSchema: "newer_schema"
        case .damaged: "registry_damaged"
        case .unsafePath: "unsafe_registry_path"
        case .unusable: "registry_unusable"
        case .readOnly: "registry_read_only"
        case .locked: "registry_locked"
        case .diskFull: "disk_full"
        case .noRegistry: "no_registry"
        }
    }

    public var category: ErrorCategory {
        switch self {
        case .newerSchema: .unsupported
        case .damaged: .damaged
        case .unsafePath, .unusable: .invalidInput
        case .readOnly, .diskFull: .environment
        case .locked: .unavailable
        case .noRegistry: .notFound
        }
    }

    /// What is wrong, without the advice to run `verify`: what `verify` itself lists.
    package var withoutAdvice: String {
        if case let .damaged(what, detail) = self { return "\(what) is damaged inside the registry: \(detail)" }
        return description
    }

    /// SQLite's result codes in the words above; other database errors pass through as `unusable`.
    static func translating(_ error: Error, path: String) -> Error {
        guard let error = error as? DatabaseError else { return error }
        switch error.resultCode {
        case .SQLITE_READONLY, .SQLITE_PERM: return StoreError.readOnly(path: path)
        case .SQLITE_BUSY, .SQLITE_LOCKED: return StoreError.locked(path: path)
        case .SQLITE_FULL: return StoreError.diskFull(path: path)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: return StoreError.unusable(path: path, detail: "the file is damaged or is not a registry database")
        case .SQLITE_CANTOPEN: return StoreError.unusable(path: path, detail: "it cannot be opened (missing folder or no permission)")
        default: return StoreError.unusable(path: path, detail: error.message ?? "\(error)")
        }
    }
}

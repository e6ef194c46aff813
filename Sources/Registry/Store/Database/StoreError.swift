import RegistryFormat
import Foundation

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
    /// The file is another application's SQLite database (these tables, no registry schema):
    /// refused untouched.
    case notARegistry(path: String, tables: [String])
    /// The file or its folder cannot be written (permissions, a read-only mount).
    case readOnly(path: String)
    /// Another process held the write lock for longer than the busy timeout.
    case locked(path: String)
    /// The file system has no room left for the write.
    case diskFull(path: String)
    /// A verb that does not create the registry found no file at its path.
    case noRegistry(path: String)
    /// `compact` needs room for a copy of the registry beside it, and the disk lacks it.
    case insufficientSpace(path: String, needed: Int64, available: Int64)
    /// The file was replaced (by `compact`) while this process had it open.
    case replaced(path: String)

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
        case let .notARegistry(path, tables):
            return "\(path): this SQLite database is not a registry (it holds \(tables.map { SafeText.name($0, limit: 40) }.joined(separator: ", "))); nothing was changed. "
                + "Point --registry (or REGISTRY_PATH) at a registry file, or at a new path to create one"
        case let .readOnly(path):
            return "\(path): the registry cannot be written (read-only file, folder or mount); nothing was changed. "
                + "Fix the permissions or point --registry at a writable copy"
        case let .locked(path):
            return "\(path): another process kept the registry locked past the busy timeout; nothing was changed. Try again when it is done"
        case let .diskFull(path):
            return "\(path): the disk is full; nothing was changed. Free space (`registry gc` may help) and try again"
        case let .noRegistry(path):
            return "no registry at \(path); `registry push` creates one"
        case let .insufficientSpace(path, needed, available):
            return "\(path): compact writes a compacted copy beside the registry and needs \(Self.size(needed)) free there, "
                + "but \(Self.size(available)) is available; nothing was changed. Free space first "
                + "(`registry gc` hands back what it frees without a copy)"
        case let .replaced(path):
            return "\(path): the registry file was replaced (by `registry compact`) while this command had it open; "
                + "nothing was changed. Run the command again"
        }
    }

    /// Bytes in MiB or GiB, for the messages above.
    private static func size(_ bytes: Int64) -> String {
        bytes >= 1 << 30 ? String(format: "%.1f GiB", Double(bytes) / Double(1 << 30)) : String(format: "%.1f MiB", Double(bytes) / Double(1 << 20))
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
        case .notARegistry: "not_a_registry"
        case .readOnly: "registry_read_only"
        case .locked: "registry_locked"
        case .diskFull: "disk_full"
        case .noRegistry: "no_registry"
        case .insufficientSpace: "insufficient_space"
        case .replaced: "registry_replaced"
        }
    }

    public var category: ErrorCategory {
        switch self {
        case .newerSchema: .unsupported
        case .damaged: .damaged
        case .unsafePath, .unusable, .notARegistry: .invalidInput
        case .readOnly, .diskFull, .insufficientSpace: .environment
        case .locked, .replaced: .unavailable
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
        case .SQLITE_READONLY where error.extendedResultCode == .SQLITE_READONLY_DBMOVED: return StoreError.replaced(path: path)
        case .SQLITE_READONLY, .SQLITE_PERM: return StoreError.readOnly(path: path)
        case .SQLITE_BUSY, .SQLITE_LOCKED: return StoreError.locked(path: path)
        case .SQLITE_FULL: return StoreError.diskFull(path: path)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: return StoreError.unusable(path: path, detail: "the file is damaged or is not a registry database")
        case .SQLITE_CANTOPEN: return StoreError.unusable(path: path, detail: "it cannot be opened (missing folder or no permission)")
        default: return StoreError.unusable(path: path, detail: error.message ?? "\(error)")
        }
    }
}

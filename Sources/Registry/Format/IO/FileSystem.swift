import Foundation
import SystemPackage

/// Small file-system helpers that report failures as `FormatError`s naming the path.
public enum FileSystem {
    public static func createDirectory(_ path: String) throws(FormatError) {
        do { try SystemCall.makeDirectory(path) } catch { throw .io(file: path, operation: "create folder", error: error) }
    }

    public static func write(_ bytes: [UInt8], to path: String, sync: Bool = false) throws(FormatError) {
        let file = try WritableFile(path: path)
        try file.append(bytes)
        if sync { try file.sync() }
        try file.close()
    }

    public static func copyFile(from source: String, to target: String, chunkSize: Int = 1 << 20) throws(FormatError) {
        try copy(try ReadableFile(path: source), to: target, chunkSize: chunkSize)
    }

    /// Copies an open file's bytes into a new file at `target`.
    public static func copy(_ input: ReadableFile, to target: String, chunkSize: Int = 1 << 20) throws(FormatError) {
        let output = try WritableFile(path: target)
        do {
            try input.stream(chunkSize: chunkSize) { piece in try output.write(piece, at: output.length) }
        } catch let error as FormatError {
            throw error
        } catch {
            throw FormatError.io(file: target, operation: "copy", error: error)
        }
        try output.close()
    }

    public static func exists(_ path: String) -> Bool {
        (try? SystemCall.stat(path, followLinks: false)) != nil
    }

    /// The folder that holds `path` ("." for a bare name; see `PathLocation`).
    public static func parentFolder(of path: String) -> String {
        PathLocation(path).folder
    }

    /// Creates `path` and the folders above it that are missing; returns those it created,
    /// deepest last, so that a failed write can remove them again (`removeCreated`).
    public static func createFolders(_ path: String) throws(FormatError) -> [String] {
        var missing: [String] = []
        var current = path
        while !exists(current) {
            missing.append(current)
            let parent = PathLocation(current).folder
            if parent == current || parent == "." || parent == "/" { break }
            current = parent
        }
        for folder in missing.reversed() where !exists(folder) {
            guard mkdir(folder, 0o755) == 0 || errno == EEXIST else {
                throw .io(file: folder, operation: "create folder", reason: String(cString: strerror(errno)))
            }
        }
        return missing.reversed()
    }

    /// Removes folders `createFolders` made, deepest first, as long as they are empty.
    public static func removeCreated(_ folders: [String]) {
        for folder in folders.reversed() { _ = rmdir(folder) }
    }

    /// Makes a folder's entries (files created, renamed or linked into it) durable.
    public static func syncFolder(_ path: String) throws(FormatError) {
        let folder: FileDescriptor
        do {
            folder = try SystemCall.open(path, .readOnly, options: [.closeOnExec, .directory])
        } catch {
            throw .io(file: path, operation: "open folder", error: error)
        }
        defer { try? folder.close() }
        do { try SystemCall.sync(folder) } catch { throw .io(file: path, operation: "fsync folder", error: error) }
    }

    /// Makes a file's bytes durable, by name (a file another writer closed, or another
    /// library wrote, such as SQLite's copy in `compact`).
    package static func syncFile(_ path: String) throws(FormatError) {
        let file: FileDescriptor
        do {
            file = try SystemCall.open(path, .readOnly, options: [.closeOnExec])
        } catch {
            throw .io(file: path, operation: "open", error: error)
        }
        defer { try? file.close() }
        do { try SystemCall.sync(file) } catch { throw .io(file: path, operation: "fsync", error: error) }
    }

    /// Renames `source` to `target`, replacing a file (not a non-empty folder) there; a
    /// failure names `file` (the target unless given).
    package static func rename(_ source: String, to target: String, operation: String = "rename", file: String? = nil) throws(FormatError) {
        do { try SystemCall.renameItem(source, to: target) } catch { throw .io(file: file ?? target, operation: operation, error: error) }
    }

    /// Gives the file at `source` the name `target` too; false when `target` already exists.
    package static func link(_ source: String, to target: String) throws(FormatError) -> Bool {
        do throws(Errno) {
            try SystemCall.hardLink(source, to: target)
            return true
        } catch .fileExists {
            return false
        } catch {
            throw .io(file: target, operation: "link", error: error)
        }
    }

    /// Removes a file's name; a name already gone is not an error.
    package static func removeFile(_ path: String) {
        try? SystemCall.removeFile(path)
    }

    /// Whether `path` is a symbolic link (not followed).
    package static func isSymbolicLink(_ path: String) -> Bool {
        (try? SystemCall.stat(path, followLinks: false).type) == .symbolicLink
    }

    /// The size of the file at `path` (followed), or nil when there is none.
    package static func size(of path: String) -> Int64? {
        try? SystemCall.stat(path).size
    }

    /// Bytes an unprivileged process may still write on the file system holding `folder`.
    public static func availableBytes(in folder: String) throws(FormatError) -> Int64 {
        var info = statvfs()
        guard statvfs(folder, &info) == 0 else {
            throw .io(file: folder, operation: "statvfs", reason: String(cString: strerror(errno)))
        }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// Swaps two paths in one step (Linux `renameat2` with `RENAME_EXCHANGE`, looked up at run
    /// time since the Glibc module does not declare it), so that neither is ever absent.
    /// False when the system or the file system cannot; the caller then falls back to renames.
    public static func exchange(_ first: String, _ second: String) -> Bool {
        guard let renameat2 = renameat2 else { return false }
        return renameat2(AT_FDCWD, first, AT_FDCWD, second, 2 /* RENAME_EXCHANGE */) == 0
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    private static let renameat2: RenameAt2? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2")
        .map { unsafeBitCast($0, to: RenameAt2.self) }

    /// This machine's name, part of staging names so that only its own leftovers are judged.
    public static let host: String = {
        let name = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        return name.isEmpty ? "host" : String(name.prefix(32))
    }()

    /// Removes what writes that were killed left in `folder`: entries named `prefix` + a process
    /// id + anything, where the process is gone (the prefix carries this `host`, so that only
    /// this machine's leftovers are judged).
    public static func removeAbandoned(in folder: String, prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            let pidText = name.dropFirst(prefix.count).prefix { $0.isNumber }
            guard let pid = pid_t(pidText), pid > 0, pid != getpid() else { continue }
            if !SystemCall.processExists(pid) {
                try? FileManager.default.removeItem(atPath: folder + "/" + name)
            }
        }
    }
}

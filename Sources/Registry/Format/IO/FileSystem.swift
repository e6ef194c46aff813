import Foundation

/// Small file-system helpers that report failures as `FormatError`s naming the path.
public enum FileSystem {
    public static func createDirectory(_ path: String) throws(FormatError) {
        guard mkdir(path, 0o755) == 0 else {
            throw .io(file: path, operation: "create folder", reason: String(cString: strerror(errno)))
        }
    }

    public static func write(_ bytes: [UInt8], to path: String, sync: Bool = false) throws(FormatError) {
        let file = try WritableFile(path: path)
        try file.append(bytes)
        if sync { try file.sync() }
        try file.close()
    }

    public static func copyFile(from source: String, to target: String, chunkSize: Int = 1 << 20) throws(FormatError) {
        let input = try ReadableFile(path: source)
        let output = try WritableFile(path: target)
        do {
            try input.stream(chunkSize: chunkSize) { piece in try output.write(piece, at: output.length) }
        } catch let error as FormatError {
            throw error
        } catch {
            throw FormatError.io(file: target, operation: "copy", reason: "\(error)")
        }
        try output.close()
    }

    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The folder that holds `path` ("." for a bare name).
    public static func parentFolder(of path: String) -> String {
        let parent = (path as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    /// Makes a folder's entries (files created, renamed or linked into it) durable.
    public static func syncFolder(_ path: String) throws(FormatError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(file: path, operation: "open folder", reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io(file: path, operation: "fsync folder", reason: String(cString: strerror(errno))) }
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
            if kill(pid, 0) == -1 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: folder + "/" + name)
            }
        }
    }
}

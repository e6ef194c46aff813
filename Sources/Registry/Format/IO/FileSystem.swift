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
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(file: path, operation: "open folder", reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io(file: path, operation: "fsync folder", reason: String(cString: strerror(errno))) }
    }

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

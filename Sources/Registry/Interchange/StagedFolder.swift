import Foundation

/// Writes a folder so that no reader ever sees half of it: everything goes into a hidden
/// sibling, is fsynced, and is renamed into place only when complete. With `force`, an old
/// folder is moved aside first and removed once the new one is in place.
enum StagedFolder {
    static func write(to target: String, force: Bool, _ body: (String) throws -> Int64) throws -> Int64 {
        let parent = (target as NSString).deletingLastPathComponent
        let folder = parent.isEmpty ? "." : parent
        let stagingPrefix = ".\((target as NSString).lastPathComponent).registry-\(host)-"
        removeAbandoned(in: folder, prefix: stagingPrefix)
        let staging = folder + "/" + stagingPrefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        if FileSystem.exists(target) && !force {
            throw RegistryError.targetExists(path: target)
        }
        do {
            let written = try body(staging)
            try syncFolder(staging)
            try moveIntoPlace(staging, target: target, force: force)
            try syncFolder(folder)
            return written
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    /// This machine's name, part of staging names so that only its own leftovers are judged.
    static let host: String = {
        let name = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        return name.isEmpty ? "host" : String(name.prefix(32))
    }()

    /// Removes staging folders (and moved-aside `.old` ones) of earlier writes to the same
    /// target that were killed: their name carries this host and a process id that is gone.
    static func removeAbandoned(in folder: String, prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            let pidText = name.dropFirst(prefix.count).prefix { $0.isNumber }
            guard let pid = pid_t(pidText), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) == -1 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: folder + "/" + name)
            }
        }
    }

    static func syncFolder(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FormatError.io(file: path, operation: "open folder", reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FormatError.io(file: path, operation: "fsync folder", reason: String(cString: strerror(errno))) }
    }

    static func moveIntoPlace(_ staging: String, target: String, force: Bool) throws {
        var aside: String?
        if FileSystem.exists(target) {
            guard force else { throw RegistryError.targetExists(path: target) }
            let old = staging + ".old"
            guard rename(target, old) == 0 else {
                throw FormatError.io(file: target, operation: "move aside", reason: String(cString: strerror(errno)))
            }
            aside = old
        }
        guard rename(staging, target) == 0 else {
            let reason = String(cString: strerror(errno))
            if let aside { _ = rename(aside, target) }
            throw FormatError.io(file: target, operation: "rename into place", reason: reason)
        }
        if let aside { try? FileManager.default.removeItem(atPath: aside) }
    }
}

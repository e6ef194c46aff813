import Foundation
import RegistryFormat

/// Writes a folder so that no reader ever sees half of it: everything goes into a hidden
/// sibling, is fsynced, and is renamed into place only when complete. With `force`, an old
/// folder is moved aside first and removed once the new one is in place. Missing folders above
/// the target are created (TF Serving's `BASE/MODEL/N` layout), and removed again if the write
/// fails.
package enum StagedFolder {
    package static func write(to target: String, force: Bool, _ body: (String) throws -> Int64) throws -> Int64 {
        let (location, staging, created) = try stage(target, force: force)
        do {
            let written = try body(staging)
            try FileSystem.syncFolder(staging)
            try moveIntoPlace(staging, target: location.path, force: force)
            try FileSystem.syncFolder(location.folder)
            return written
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            FileSystem.removeCreated(created)
            throw error
        }
    }

    /// Writes one file the same way: `body` fills a hidden sibling, which is fsynced and
    /// renamed into place when complete (an existing file only with `force`).
    package static func writeFile(to target: String, force: Bool, _ body: (WritableFile) throws -> Void) throws {
        let (location, staging, created) = try stage(target, force: force)
        do {
            let file = try WritableFile(path: staging)
            try body(file)
            try file.sync()
            try file.close()
            try moveIntoPlace(staging, target: location.path, force: force)
            try FileSystem.syncFolder(location.folder)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            FileSystem.removeCreated(created)
            throw error
        }
    }

    /// Where `target` goes and a staging name beside it, after clearing what killed writes on
    /// this host left there; refuses an existing target without `force`; creates the missing
    /// folders above it (`created`: the ones to remove if the write fails).
    static func stage(_ target: String, force: Bool) throws -> (location: PathLocation, staging: String, created: [String]) {
        let location = PathLocation(target)
        guard !location.name.isEmpty else { throw InterchangeError.targetExists(path: target) }
        if FileSystem.exists(target) && !force {
            throw InterchangeError.targetExists(path: target)
        }
        let created = try FileSystem.createFolders(location.folder)
        let stagingPrefix = ".\(location.name).registry-\(FileSystem.host)-"
        FileSystem.removeAbandoned(in: location.folder, prefix: stagingPrefix)
        return (location, location.sibling(stagingPrefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"), created)
    }

    static func moveIntoPlace(_ staging: String, target: String, force: Bool) throws {
        var aside: String?
        if FileSystem.exists(target) {
            guard force else { throw InterchangeError.targetExists(path: target) }
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

import Foundation
import RegistryFormat

/// Writes a folder so that no reader ever sees half of it: everything goes into a hidden
/// sibling, is fsynced, and is renamed into place only when complete. With `force`, an old
/// folder is exchanged for the new one in one step (where the system cannot, moved aside
/// first) and removed once the new one is in place.
package enum StagedFolder {
    package static func write(to target: String, force: Bool, _ body: (String) throws -> Int64) throws -> Int64 {
        let folder = FileSystem.parentFolder(of: target)
        let stagingPrefix = ".\((target as NSString).lastPathComponent).registry-\(FileSystem.host)-"
        FileSystem.removeAbandoned(in: folder, prefix: stagingPrefix)
        let staging = folder + "/" + stagingPrefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        if FileSystem.exists(target) && !force {
            throw InterchangeError.targetExists(path: target)
        }
        do {
            let written = try body(staging)
            try FileSystem.syncFolder(staging)
            try moveIntoPlace(staging, target: target, force: force)
            try FileSystem.syncFolder(folder)
            return written
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    static func moveIntoPlace(_ staging: String, target: String, force: Bool) throws {
        var aside: String?
        if FileSystem.exists(target) {
            guard force else { throw InterchangeError.targetExists(path: target) }
            // One step where the system allows it: the target is never absent, even to a reader
            // polling the parent (TensorFlow Serving) or after a kill.
            if FileSystem.exchange(staging, target) {
                try? FileManager.default.removeItem(atPath: staging)
                return
            }
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

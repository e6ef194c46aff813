import Foundation
import RegistryFormat

/// Writes a folder so that no reader ever sees half of it: everything goes into a hidden
/// sibling, is fsynced, and is renamed into place only when complete. With `force`, an old
/// folder is moved aside first and removed once the new one is in place.
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
            let old = staging + ".old"
            try FileSystem.rename(target, to: old, operation: "move aside", file: target)
            aside = old
        }
        do {
            try FileSystem.rename(staging, to: target, operation: "rename into place")
        } catch {
            if let aside { try? FileSystem.rename(aside, to: target) }
            throw error
        }
        if let aside { try? FileManager.default.removeItem(atPath: aside) }
    }
}

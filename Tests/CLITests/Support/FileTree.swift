import Foundation
import TestSupport

/// Every file and every folder (empty ones included) below `root`, relative and sorted.
struct Tree: Equatable, CustomStringConvertible {
    var files: [String] = []
    var folders: [String] = []

    init(_ root: String) throws {
        let rootURL = URL(fileURLWithPath: root)
        guard let walker = FileManager.default.enumerator(at: rootURL, includingPropertiesForKeys: [.isDirectoryKey, .isSymbolicLinkKey]) else {
            throw TestFailure("cannot list \(root)")
        }
        let prefix = rootURL.standardizedFileURL.resolvingSymlinksInPath().path + "/"
        for case let url as URL in walker {
            let values = try url.resourceValues(forKeys: [.isDirectoryKey, .isSymbolicLinkKey])
            let full = url.standardizedFileURL.resolvingSymlinksInPath().path
            guard full.hasPrefix(prefix) else { throw TestFailure("\(full) is not below \(prefix)") }
            let relative = String(full.dropFirst(prefix.count))
            if values.isDirectory == true { folders.append(relative) } else { files.append(relative) }
        }
        files.sort()
        folders.sort()
    }

    var description: String { "files \(files), folders \(folders)" }
}

/// Copies a (possibly read-only) folder and makes the copy writable.
func writableCopy(of source: String, to target: String) throws {
    try FileManager.default.copyItem(atPath: source, toPath: target)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target)
    if let walker = FileManager.default.enumerator(atPath: target) {
        for case let relative as String in walker {
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: target + "/" + relative, isDirectory: &isFolder)
            try FileManager.default.setAttributes([.posixPermissions: isFolder.boolValue ? 0o755 : 0o644], ofItemAtPath: target + "/" + relative)
        }
    }
}

/// The files that differ between two folders, by name or by bytes (empty when identical).
func differingFiles(_ a: String, _ b: String) throws -> [String] {
    let left = try Tree(a), right = try Tree(b)
    var differing = Set(left.files).symmetricDifference(right.files).sorted()
    for file in left.files where right.files.contains(file) {
        if try fileBytes(a + "/" + file) != fileBytes(b + "/" + file) { differing.append(file) }
    }
    return differing
}

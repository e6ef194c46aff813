import Foundation
import RegistryRemote
import RegistryStore
#if canImport(Glibc)
import Glibc
#endif

/// This tool's version, recorded with every version it makes.
public enum RegistryVersion {
    public static let current = "0.16.0"
}

/// Who makes a version, with what and from which commit: recorded on the version's row when
/// it is made (`apply`), shown by `show`, and carried by a push as the config's provenance and
/// the standard OCI annotations.
struct Provenance {
    var user: String?
    var host: String?
    var gitCommit: String?
    var gitDirty: Bool?

    /// This process's user and host, and the git state of the repository `folder` is in.
    static func current(folder: String?) -> Provenance {
        var provenance = Provenance(user: currentUser(), host: ProcessInfo.processInfo.hostName)
        if let folder { (provenance.gitCommit, provenance.gitDirty) = gitState(folder) }
        return provenance
    }

    func apply(to version: inout VersionRecord) {
        version.authorUser = user
        version.authorHost = host
        version.toolVersion = RegistryVersion.current
        version.gitCommit = gitCommit
        version.gitDirty = gitCommit == nil ? nil : gitDirty
    }

    private static func currentUser() -> String? {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"]
    }

    /// HEAD's commit of the repository `folder` is in, and whether its tree has changes
    /// (`git status --porcelain`); nils outside a repository or without git.
    static func gitState(_ folder: String) -> (String?, Bool?) {
        // A stat per parent folder first: most folders pushed are in no repository, and git
        // costs two processes (~10 ms).
        var probe = URL(fileURLWithPath: folder).standardizedFileURL
        var inRepository = false
        while true {
            if FileManager.default.fileExists(atPath: probe.appendingPathComponent(".git").path) { inRepository = true; break }
            let parent = probe.deletingLastPathComponent()
            if parent.path == probe.path { break }
            probe = parent
        }
        guard inRepository, let head = git(["rev-parse", "--verify", "HEAD"], in: folder)?.trimmingCharacters(in: .whitespacesAndNewlines),
              head.count >= 40, head.allSatisfy(\.isHexDigit) else { return (nil, nil) }
        let status = git(["status", "--porcelain", "--untracked-files=normal"], in: folder)
        return (head, status.map { !$0.isEmpty })
    }

    private static func git(_ arguments: [String], in folder: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", folder] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_OPTIONAL_LOCKS"] = "0"  // status must not write the index
        environment["LC_ALL"] = "C"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        var data = Data()
        while data.count < 1 << 20, let piece = try? output.fileHandleForReading.read(upToCount: 64 << 10), !piece.isEmpty { data.append(piece) }
        try? output.fileHandleForReading.close()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}

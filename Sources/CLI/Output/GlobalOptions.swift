import ArgumentParser
import Foundation
import Registry

/// Options every verb that touches a registry shares, and where the registry is.
struct RegistryOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The registry database file (default: $REGISTRY_PATH, else .registry/registry.db in "
                                            + "this folder or the nearest folder above that has one).", valueName: "path"),
            completion: .file())
    var registry: String?

    /// The folder that marks a registry, as `.git` marks a repository.
    static let folderName = ".registry"
    static let fileName = "registry.db"

    /// Where the registry is: `--registry`, else `$REGISTRY_PATH`, else the nearest
    /// `.registry/registry.db` in this folder or a folder above (as git finds `.git`), else
    /// `.registry/registry.db` here (which only a verb that adds versions creates).
    var path: String { Self.path(given: registry) }

    /// The path for a `--registry` value (nil when not given).
    static func path(given registry: String?) -> String {
        if let registry { return registry }
        if let path = ProcessInfo.processInfo.environment["REGISTRY_PATH"], !path.isEmpty { return path }
        return discover(from: FileManager.default.currentDirectoryPath) ?? folderName + "/" + fileName
    }

    /// The nearest `.registry` folder in `folder` or above, as the path of its database.
    static func discover(from folder: String) -> String? {
        var current = URL(fileURLWithPath: folder).standardizedFileURL.path
        while true {
            var isFolder: ObjCBool = false
            let candidate = (current == "/" ? "" : current) + "/" + folderName
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isFolder), isFolder.boolValue {
                return current == FileManager.default.currentDirectoryPath ? folderName + "/" + fileName : candidate + "/" + fileName
            }
            guard current != "/", let slash = current.lastIndex(of: "/") else { return nil }
            current = slash == current.startIndex ? "/" : String(current[..<slash])
        }
    }

    /// Opens an existing registry: a missing one is an error (`no registry at PATH`) and
    /// nothing is created. For every verb but those that add versions; `readOnly` (`ui`) opens
    /// the SQLite file read-only too.
    func open(readOnly: Bool = false) throws -> ModelRegistry {
        try ModelRegistry(path: path, readOnly: readOnly, create: false)
    }

    /// Opens the registry, creating it when missing (push, train, pull oci://), and says so
    /// once on stderr.
    func openCreating(quiet: Bool = false) throws -> ModelRegistry {
        let registry = try ModelRegistry(path: path, create: true)
        if registry.created && !quiet {
            FileHandle.standardError.write(Data("created a new registry at \(path)\n".utf8))
        }
        return registry
    }
}

/// How a verb prints: `--json`, `--quiet`, `--no-progress`, as every verb spells them.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON (stable field names, documented in the README) instead of text.")
    var json = false

    @Flag(name: [.short, .long], help: "Print nothing but errors (ls, history, remote ls: one name per line; diff: only the exit status).")
    var quiet = false

    @Flag(name: .long, help: "Draw no progress bar on stderr (also: REGISTRY_NO_PROGRESS=1).")
    var noProgress = false

    /// Whether a progress bar may be drawn (it still needs stderr to be a terminal).
    var progress: Bool { !quiet && !noProgress && !json }
}

import Foundation
import SystemPackage

/// A path taken apart into the folder that holds it and its name there: the one place the
/// registry splits a path a user typed, for every form (`.`, `..`, `x`, `./x`, `x/`, `/abs`,
/// spaces, non-ASCII). Foundation's `deletingLastPathComponent` trapped (SIGILL) on
/// one-character paths such as `x` or `.`; swift-system's `FilePath` does the lexical work.
public struct PathLocation: Sendable, Equatable {
    /// The folder holding the entry ("." for a bare name); never empty.
    public var folder: String
    /// The entry's name in `folder`: never ".", ".." or empty, except "" for the root `/`.
    public var name: String

    public init(_ path: String) {
        let file = FilePath(path)  // repeated and trailing separators are dropped here
        if let last = file.lastComponent, last.kind == .regular {
            let parent = file.removingLastComponent()
            folder = parent.isEmpty ? "." : parent.string
            name = last.string
            return
        }
        // ".", "..", "/", or a path ending in one of them: the names it stands for come from
        // the file system (realpath follows links as the kernel will), else lexically.
        let absolute = Self.resolved(path) ?? Self.lexicallyAbsolute(file)
        guard let last = absolute.lastComponent else {
            folder = absolute.string
            name = ""
            return
        }
        folder = absolute.removingLastComponent().string
        name = last.string
    }

    /// The folder and the name joined again.
    public var path: String {
        if name.isEmpty { return folder }
        return folder == "/" ? "/" + name : folder + "/" + name
    }

    /// A sibling of the entry in the same folder.
    public func sibling(_ siblingName: String) -> String {
        folder == "/" ? "/" + siblingName : folder + "/" + siblingName
    }

    private static func resolved(_ path: String) -> FilePath? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return FilePath(String(cString: pointer))
    }

    private static func lexicallyAbsolute(_ file: FilePath) -> FilePath {
        if file.isAbsolute { return file.lexicallyNormalized() }
        return FilePath(FileManager.default.currentDirectoryPath).pushing(file).lexicallyNormalized()
    }
}

import Foundation
import SystemPackage

/// Lists a folder tree for import, refusing anything that is not a plain file or folder:
/// symbolic links (which could point outside), device files, and names no export could
/// recreate safely.
public struct DirectoryListing: Sendable, Equatable {
    /// Regular files, as paths relative to the root with `/` separators, sorted.
    public var files: [String] = []
    /// Every folder below the root (empty ones included), sorted.
    public var directories: [String] = []

    public init(files: [String] = [], directories: [String] = []) {
        self.files = files
        self.directories = directories
    }

    public static func scan(_ root: String) throws(FormatError) -> DirectoryListing {
        var info = stat()
        guard stat(root, &info) == 0 else {
            let reason = errno == ENOENT ? "no such folder; check the path" : String(cString: strerror(errno))
            throw .missing(file: root, detail: reason)
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw .unsupported(file: root, detail: "this is a file, not a folder; give the folder that holds saved_model.pb (or the checkpoint files)")
        }
        var listing = DirectoryListing()
        try scan(root: root, relative: "", into: &listing)
        listing.files.sort()
        listing.directories.sort()
        return listing
    }

    private static func scan(root: String, relative: String, into listing: inout DirectoryListing) throws(FormatError) {
        let folder = relative.isEmpty ? root : root + "/" + relative
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw .io(file: folder, operation: "list", reason: Self.reason(error))
        }
        for name in names.sorted() {
            let child = relative.isEmpty ? name : relative + "/" + name
            try RelativePath.validate(child, file: root)
            var info = stat()
            guard lstat(root + "/" + child, &info) == 0 else {
                throw .io(file: root + "/" + child, operation: "stat", reason: String(cString: strerror(errno)))
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                listing.directories.append(child)
                try scan(root: root, relative: child, into: &listing)
            case S_IFREG:
                listing.files.append(child)
            case S_IFLNK:
                throw .unsafePath(file: root + "/" + child, detail: "symbolic links are not imported; replace it with the file it points to")
            default:
                throw .unsafePath(file: root + "/" + child, detail: "not a regular file or folder")
            }
        }
    }

    /// The operating system's words for why a folder could not be listed (Foundation's own
    /// message is "The operation could not be completed" with an error number).
    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError
        if let posix = underlying, posix.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(posix.code))) }
        return nsError.localizedDescription
    }
}

import SystemPackage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lists a folder tree for import, refusing anything that is not a plain file or folder:
/// symbolic links (which could point outside), device files, and names no export could
/// recreate safely. The folder stays open: its files are opened later relative to it
/// (`open(_:)`), so a link swapped in after the scan is refused, not followed.
public struct DirectoryListing: Sendable, Equatable {
    /// Regular files, as paths relative to the root with `/` separators, sorted.
    public var files: [String] = []
    /// Every folder below the root (empty ones included), sorted.
    public var directories: [String] = []
    /// What the scan saw of each file, checked again when it is opened.
    package var scanned: [String: FileIdentity] = [:]
    /// The root as opened for the scan; nil for a listing made by hand.
    package var root: OpenFolder?

    public init(files: [String] = [], directories: [String] = []) {
        self.files = files
        self.directories = directories
    }

    /// Two listings are equal when they name the same files and folders.
    public static func == (a: DirectoryListing, b: DirectoryListing) -> Bool {
        a.files == b.files && a.directories == b.directories
    }

    public static func scan(_ root: String) throws(FormatError) -> DirectoryListing {
        let folder: FileDescriptor
        do {
            folder = try SystemCall.open(root, .readOnly, options: [.closeOnExec, .directory])
        } catch Errno.noSuchFileOrDirectory {
            throw .missing(file: root, detail: "no such folder; check the path")
        } catch Errno.notDirectory {
            throw .unsupported(file: root, detail: "this is a file, not a folder; give the folder that holds saved_model.pb (or the checkpoint files)")
        } catch {
            throw .io(file: root, operation: "open folder", error: error)
        }
        var listing = DirectoryListing()
        listing.root = OpenFolder(descriptor: folder, path: root)
        try listing.scan(folder, relative: "", root: root)
        listing.files.sort()
        listing.directories.sort()
        return listing
    }

    /// Lists `folder` (open, at `relative` below the root) into the listing, recursing into folders.
    private mutating func scan(_ folder: FileDescriptor, relative: String, root: String) throws(FormatError) {
        let here = relative.isEmpty ? root : root + "/" + relative
        for name in try Self.names(in: folder, path: here) {
            let child = relative.isEmpty ? name : relative + "/" + name
            try RelativePath.validate(child, file: root)
            let path = root + "/" + child
            let info: Stat
            do {
                info = try SystemCall.stat(name, in: folder)
            } catch {
                throw .io(file: path, operation: "stat", error: error)
            }
            switch info.type {
            case .directory:
                directories.append(child)
                let inner: FileDescriptor
                do throws(Errno) {
                    inner = try SystemCall.open(name, in: folder, directory: true)
                } catch {
                    throw Self.changed(path, error: error)
                }
                defer { try? inner.close() }
                try scan(inner, relative: child, root: root)
            case .regular:
                files.append(child)
                scanned[child] = FileIdentity(info)
            case .symbolicLink:
                throw .unsafePath(file: path, detail: "symbolic links are not imported; replace it with the file it points to")
            default:
                throw .unsafePath(file: path, detail: "not a regular file or folder")
            }
        }
    }

    /// The entries of an open folder but `.` and `..`, sorted; the descriptor stays open.
    private static func names(in folder: FileDescriptor, path: String) throws(FormatError) -> [String] {
        let copy: FileDescriptor
        do { copy = try folder.duplicate() } catch { throw .io(file: path, operation: "list", error: error) }
        guard let stream = fdopendir(copy.rawValue) else {
            let error = Errno(rawValue: errno)
            try? copy.close()
            throw .io(file: path, operation: "list", error: error)
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Opens a listed file for reading, relative to the folder scanned: no component may be a
    /// symbolic link, and the file must still be the regular file the scan found (same device,
    /// inode and size), so that nothing swapped into the folder after the scan is read.
    package func open(_ relative: String) throws(FormatError) -> ReadableFile {
        guard let root, let expected = scanned[relative] else {
            throw .missing(file: relative, detail: "not a file of the listed folder")
        }
        let path = root.path + "/" + relative
        let parts = relative.split(separator: "/").map(String.init)
        var folders: [FileDescriptor] = []
        defer { for folder in folders { try? folder.close() } }
        var folder = root.descriptor
        let file: FileDescriptor
        do throws(Errno) {
            for part in parts.dropLast() {
                folder = try SystemCall.open(part, in: folder, directory: true)
                folders.append(folder)
            }
            file = try SystemCall.open(parts.last!, in: folder, directory: false)
        } catch {
            throw Self.changed(path, error: error)
        }
        let info: Stat
        do { info = try file.stat() } catch { try? file.close(); throw .io(file: path, operation: "stat", error: error) }
        guard info.type == .regular, FileIdentity(info).sameFile(as: expected) else {
            try? file.close()
            throw .unsafePath(file: path, detail: "it was replaced while the folder was read (it is no longer the file listed at the start); "
                              + "push again once nothing changes the folder")
        }
        guard info.size == expected.size else {
            try? file.close()
            throw .truncated(file: path, detail: "it changed size while the folder was read (\(expected.size) bytes listed, "
                             + "\(info.size) now); push again once nothing writes to it")
        }
        return ReadableFile(descriptor: file, path: path, size: info.size)
    }

    /// A file or folder that is gone, or a link in its place, since the scan listed it.
    private static func changed(_ path: String, error: Errno) -> FormatError {
        switch error {
        case .tooManySymbolicLinkLevels, .notDirectory:
            return .unsafePath(file: path, detail: "it became a symbolic link while the folder was read; symbolic links are not imported")
        case .noSuchFileOrDirectory:
            return .missing(file: path, detail: "it was removed while the folder was read")
        default:
            return .io(file: path, operation: "open", error: error)
        }
    }
}

/// A folder held open by a listing, closed when the last listing holding it goes.
package final class OpenFolder: Sendable {
    package let descriptor: FileDescriptor
    package let path: String

    init(descriptor: FileDescriptor, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { try? descriptor.close() }
}

/// Which file a path named when it was listed (device and inode) and its size then.
package struct FileIdentity: Sendable, Equatable {
    package var device: UInt64
    package var inode: UInt64
    package var size: Int64

    init(_ info: Stat) {
        device = UInt64(info.deviceID.rawValue)
        inode = UInt64(info.inode.rawValue)
        size = info.size
    }

    func sameFile(as other: FileIdentity) -> Bool {
        device == other.device && inode == other.inode
    }
}

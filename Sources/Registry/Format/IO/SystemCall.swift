import SystemPackage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one door to the C calls swift-system does not wrap (`openat`, `mkdir`, `fsync`,
/// `rename`, `link`, `unlink`, `kill`): each runs through `run`, which retries an interrupted call and
/// turns `-1` + `errno` into an `Errno`. Nothing above `Format/IO` calls these functions or
/// reads `errno` itself.
package enum SystemCall {
    /// Runs `call` until it is not interrupted; its result, or the `Errno` it failed with.
    @discardableResult
    package static func run(_ call: () -> Int32) throws(Errno) -> Int32 {
        while true {
            let result = call()
            if result != -1 { return result }
            let error = Errno(rawValue: errno)
            if error != .interrupted { throw error }
        }
    }

    /// `FileDescriptor.open` of a path given as a string. Paths are handed to C as they are:
    /// building a `FilePath` (which normalizes separators) cost ~1 ms per path in a debug build,
    /// a minute for the 65,536 data files of a bundle.
    package static func open(_ path: String, _ mode: FileDescriptor.AccessMode, options: FileDescriptor.OpenOptions,
                             permissions: FilePermissions? = nil) throws(Errno) -> FileDescriptor {
        try path.withCString { pointer in
            Result { () throws(Errno) in
                do {
                    return try FileDescriptor.open(pointer, mode, options: options, permissions: permissions)
                } catch let error as Errno {
                    throw error
                } catch {
                    throw Errno.ioError  // FileDescriptor.open throws nothing but Errno
                }
            }
        }.get()
    }

    /// `stat` (or with `followLinks` false, `lstat`) of a path given as a string.
    package static func stat(_ path: String, followLinks: Bool = true) throws(Errno) -> Stat {
        try path.withCString { pointer in Result { () throws(Errno) in try Stat(pointer, followTargetSymlink: followLinks) } }.get()
    }

    /// `fstatat` of `name` in the open folder `folder`, not following a symbolic link.
    package static func stat(_ name: String, in folder: FileDescriptor) throws(Errno) -> Stat {
        try name.withCString { pointer in
            Result { () throws(Errno) in try Stat(pointer, relativeTo: folder, flags: .symlinkNoFollow) }
        }.get()
    }

    /// Opens `name` relative to the folder `folder` (`openat`), never following a symbolic link
    /// as its last component; `directory` also requires a folder. `O_NONBLOCK` keeps a FIFO put
    /// in a file's place from blocking the open (it is refused as not a regular file after).
    package static func open(_ name: String, in folder: FileDescriptor, directory: Bool) throws(Errno) -> FileDescriptor {
        let flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (directory ? O_DIRECTORY : O_NONBLOCK)
        return FileDescriptor(rawValue: try run { openat(folder.rawValue, name, flags) })
    }

    package static func makeDirectory(_ path: String) throws(Errno) {
        try run { mkdir(path, 0o755) }
    }

    /// `fsync`: the file's bytes (or a folder's entries) on disk.
    package static func sync(_ descriptor: FileDescriptor) throws(Errno) {
        try run { fsync(descriptor.rawValue) }
    }

    package static func renameItem(_ source: String, to target: String) throws(Errno) {
        try run { rename(source, target) }
    }

    /// A second name for a file (`link`): fails with `.fileExists` when `target` exists.
    package static func hardLink(_ source: String, to target: String) throws(Errno) {
        try run { link(source, target) }
    }

    package static func removeFile(_ path: String) throws(Errno) {
        try run { unlink(path) }
    }

    /// Whether a process with this id still runs (`kill(pid, 0)` does not fail with ESRCH).
    package static func processExists(_ pid: pid_t) -> Bool {
        do { try run { kill(pid, 0) } } catch { return error != .noSuchProcess }
        return true
    }
}

extension FormatError {
    /// The one mapping from the operating system's refusal to a `FormatError`: the file, what
    /// was tried, and the system's words for why (`strerror`, through `Errno`). Anything that is
    /// not an `Errno` keeps its own description.
    package static func io(file: String, operation: String, error: any Error) -> FormatError {
        let reason = (error as? Errno)?.description ?? "\(error)"
        return .io(file: file, operation: operation, reason: reason)
    }
}

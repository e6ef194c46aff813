import CWriteback
import Dispatch
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Counts the bytes written through one descriptor and starts their writeback
/// (`StartedWriteback`) every `interval` of them, so that the fsync at the end of a long write
/// finds little left to do. Serves the files a pull writes and the database a push fills.
package struct WritebackTrigger {
    package static let interval = 16 << 20

    let descriptor: Int32
    private var unstarted = 0

    package init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// The trigger on this process's own open descriptor of the file at `path` (found by device
    /// and inode among `/proc/self/fd`), borrowed, never closed: opening and closing another
    /// descriptor of a file drops every POSIX lock this process holds on it. Nil when there is
    /// none or descriptors cannot be listed.
    package init?(openFile path: String) {
        guard let target = try? SystemCall.stat(path), let listing = opendir("/proc/self/fd") else { return nil }
        defer { closedir(listing) }
        var found: Int32?
        while found == nil, let entry = readdir(listing) {
            let fdName = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let fd = Int32(fdName), fd != dirfd(listing), let info = try? FileDescriptor(rawValue: fd).stat() else { continue }
            if info.deviceID == target.deviceID, info.inode == target.inode { found = fd }
        }
        guard let found else { return nil }
        self.init(descriptor: found)
    }

    package mutating func wrote(_ bytes: Int) {
        unstarted += bytes
        guard unstarted >= Self.interval else { return }
        unstarted = 0
        StartedWriteback.start(descriptor)
    }
}

/// Starts writeback (`registry_start_writeback`) on a background thread: the call itself
/// blocks ~2 ms when the disk queue is busy, 13 times per 256 MiB pushed, which the thread
/// that feeds the pipeline cannot spare. `drain()` waits for the calls started so far; a file
/// drains before its fsync and before its descriptor is closed.
package enum StartedWriteback {
    private static let queue = DispatchQueue(label: "registry.writeback")

    package static func start(_ descriptor: Int32) {
        queue.async { _ = registry_start_writeback(descriptor) }
    }

    package static func drain() {
        queue.sync {}
    }
}

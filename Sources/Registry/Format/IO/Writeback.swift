import CWriteback
import Dispatch
import Synchronization
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Counts the bytes written through one descriptor and flushes them (`BackgroundFlush`) every
/// `interval` of them, so that the fsync at the end of a long write finds little left to do.
/// Serves the files a pull writes and the database a push fills.
package struct WritebackTrigger {
    /// 16 MiB: the last fdatasync of 218 MiB written at a push's pace took 0.017 s with a
    /// flush every 16 MiB, 0.029 s every 32 or 64 MiB, 0.18–0.23 s with none (this VM).
    package static let interval = 16 << 20

    let descriptor: Int32
    private var unflushed = 0

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
        unflushed += bytes
        guard unflushed >= Self.interval else { return }
        unflushed = 0
        BackgroundFlush.start(descriptor)
    }
}

/// Makes the bytes written so far durable (`registry_flush`, fdatasync) on a background
/// thread while the writing goes on. Starting their writeback was not enough: on this VM the
/// fdatasync of 218 MiB just written took 0.18–0.23 s whether its writeback had been started
/// every 16 MiB or had ended a second before, the disk flushing its own cache in proportion to
/// the bytes since its last flush (the push's commit and the pull's fsync each waited that long,
/// a quarter of a 256 MiB pull). A flush already waiting for a descriptor covers later bytes, so
/// at most one waits per descriptor. `drain()` waits for the flushes started so far; a file
/// drains before its fsync and before its descriptor is closed.
package enum BackgroundFlush {
    private static let queue = DispatchQueue(label: "registry.flush")
    private static let waiting = Mutex<Set<Int32>>([])

    package static func start(_ descriptor: Int32) {
        guard waiting.withLock({ $0.insert(descriptor).inserted }) else { return }
        queue.async {
            _ = waiting.withLock { $0.remove(descriptor) }
            _ = registry_flush(descriptor)
        }
    }

    package static func drain() {
        queue.sync {}
    }
}

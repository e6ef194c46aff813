import CWriteback
import Dispatch

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

import RegistryFormat
import Dispatch
import Foundation

/// Runs jobs on worker threads and hands their results back in submission order, with at most
/// `depth` jobs in flight: the owner (the one thread that talks to SQLite or the file) submits,
/// and once `isFull` takes the oldest result before submitting more. That is the back-pressure:
/// memory stays at `depth` jobs whatever the size of the stream.
package final class OrderedPipeline<Output: Sendable> {
    /// Jobs in flight by default: one per core plus one queued, which keeps every core busy
    /// (measured: 2× cores was no faster on 2 cores, and held 4 MiB more per extra job).
    package static var defaultDepth: Int { max(3, ProcessInfo.processInfo.activeProcessorCount + 1) }

    private final class Slot: @unchecked Sendable {
        // Written once by the worker before `done` is signalled, read by the owner after waiting.
        var value: Output?
        let done = DispatchSemaphore(value: 0)
    }

    let depth: Int
    private var slots: [Slot] = []
    private var head = 0

    package init(depth: Int = OrderedPipeline.defaultDepth) {
        precondition(depth > 0)
        self.depth = depth
    }

    package var inFlight: Int { slots.count - head }
    package var isFull: Bool { inFlight >= depth }

    /// Starts `work` on a worker thread.
    package func submit(_ work: @escaping @Sendable () -> Output) {
        let slot = Slot()
        slots.append(slot)
        DispatchQueue.global(qos: .userInitiated).async {
            slot.value = work()
            slot.done.signal()
        }
    }

    /// Waits for the oldest job and returns its result; nil when none is in flight.
    package func next() -> Output? {
        guard head < slots.count else { return nil }
        let slot = slots[head]
        slot.done.wait()
        let value = slot.value
        slot.value = nil
        head += 1
        if head >= 64 {
            slots.removeFirst(head)
            head = 0
        }
        return value
    }
}

import RegistryFormat
import RegistryStore
import Foundation

/// Reports transferred bytes from several threads to one progress callback.
final class TransferProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var done: Int64 = 0
    let total: Int64
    let callback: (@Sendable (Int64, Int64) -> Void)?

    init(total: Int64, callback: (@Sendable (Int64, Int64) -> Void)?) {
        self.total = total
        self.callback = callback
    }

    func add(_ bytes: Int64) {
        let now = lock.withLock { done += bytes; return done }
        callback?(now, total)
    }
}

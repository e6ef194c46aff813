import Foundation
import RegistryFormat
import RegistryStore

/// The one thread that writes a pull's chunks while the transfers run on others: each chunk
/// arrives checked and encoded (`ReceivedChunk`), is inserted and leased (`PullLeases`, so
/// `gc` leaves it alone until the version lands or this process is gone), and is committed
/// with the others of the last second or 64 MiB (a commit is an fsync: one per chunk cost
/// more than the transfer). A kill loses at most that much; a re-run fetches only the rest.
/// It also answers which chunks are stored already (leasing them too). At most `capacity`
/// items wait: a transfer that outruns the disk waits, and so does its socket.
final class PullCommitter: @unchecked Sendable {
    private enum Item {
        case chunk(ReceivedChunk)
        case pack(headerDigest: [UInt8], digest: [UInt8], size: Int64, header: [UInt8])
        case lookup([ContentHash], Reply)
    }

    private final class Reply: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var result: Result<[ContentHash: Int64], Error> = .success([:])
    }

    static let capacity = 2
    static let commitBytes = 64 << 20
    static let commitSeconds = 1.0

    private let store: RegistryDatabase
    let lease: Int64
    private let condition = NSCondition()
    private var queue: [Item] = []
    private var closed = false
    private var failure: Error?
    private let finished = DispatchSemaphore(value: 0)

    init(store: RegistryDatabase) throws {
        self.store = store
        lease = try store.write { try $0.beginLease() }
        let thread = Thread { [self] in run() }
        thread.name = "pull-committer"
        thread.start()
    }

    /// Queues a checked chunk for insertion (waits while the queue is full).
    func submit(_ chunk: ReceivedChunk) throws { try enqueue(.chunk(chunk)) }

    /// Remembers a pack's header and blob digest.
    func remember(headerDigest: [UInt8], digest: [UInt8], size: Int64, header: [UInt8]) throws {
        try enqueue(.pack(headerDigest: headerDigest, digest: digest, size: size, header: header))
    }

    /// The ids of the chunks stored already (leased from now on), by address.
    func lookup(_ hashes: [ContentHash]) throws -> [ContentHash: Int64] {
        let reply = Reply()
        try enqueue(.lookup(hashes, reply))
        reply.done.wait()
        return try reply.result.get()
    }

    /// Commits what is queued and stops the thread; rethrows the first failure.
    func close() throws {
        condition.withLock {
            closed = true
            condition.broadcast()
        }
        finished.wait()
        if let failure { throw failure }
    }

    private func enqueue(_ item: Item) throws {
        try condition.withLock {
            while queue.count >= Self.capacity && failure == nil && !closed { condition.wait() }
            if let failure { throw failure }
            queue.append(item)
            condition.broadcast()
        }
    }

    /// The next item, waiting at most `timeout` seconds (nil: until one comes or the queue closes).
    private func take(timeout: Double?) -> Item? {
        condition.withLock {
            let deadline = timeout.map { Date().addingTimeInterval($0) }
            while queue.isEmpty && !closed {
                if let deadline {
                    if !condition.wait(until: deadline) { return nil }
                } else {
                    condition.wait()
                }
            }
            guard !queue.isEmpty else { return nil }
            let item = queue.removeFirst()
            condition.broadcast()
            return item
        }
    }

    private func run() {
        defer { finished.signal() }
        while let first = take(timeout: nil) {
            var pending: Item? = first
            do {
                try store.write { session in
                    let writer = ContentWriter(session)
                    let started = Date()
                    var bytes = 0
                    while let item = pending {
                        bytes += try handle(item, session: session, writer: writer)
                        if bytes >= Self.commitBytes || Date().timeIntervalSince(started) >= Self.commitSeconds { break }
                        pending = take(timeout: 0.05)
                    }
                }
            } catch {
                fail(error, pending: pending)
                return
            }
        }
    }

    private func handle(_ item: Item, session: StoreSession, writer: ContentWriter) throws -> Int {
        switch item {
        case .chunk(let chunk):
            try session.lease(chunkIDs: [try writer.insert(chunk)], lease: lease)
            return chunk.size
        case let .pack(headerDigest, digest, size, header):
            try session.insertPack(headerDigest: headerDigest, digest: digest, size: size, header: header)
            return header.count
        case let .lookup(hashes, reply):
            do {
                let found = try ContentReader(session).chunkIDs(hashes)
                try session.lease(chunkIDs: Array(found.values), lease: lease)
                reply.result = .success(found)
            } catch {
                reply.result = .failure(error)
            }
            reply.done.signal()
            return 0
        }
    }

    /// Records the failure and answers every waiting lookup with it.
    private func fail(_ error: Error, pending: Item?) {
        let waiting: [Item] = condition.withLock {
            failure = error
            let items = queue
            queue.removeAll()
            condition.broadcast()
            return items
        }
        for case let .lookup(_, reply) in waiting + (pending.map { [$0] } ?? []) {
            reply.result = .failure(error)
            reply.done.signal()
        }
    }
}

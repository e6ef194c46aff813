import Foundation
import SystemPackage

/// A file being written; owns its descriptor. `sync()` makes the bytes durable. Several
/// threads may write distinct ranges: they take turns (one lock, which also keeps the length),
/// since threads writing one file at once contend for its inode lock in the kernel, which
/// spins. Closing is the owner's, after the writes.
public final class WritableFile: @unchecked Sendable {
    public let path: String
    private let descriptor: FileDescriptor
    private var closed = false
    private let lock = NSLock()
    private var written: Int64 = 0
    private var writeback: WritebackTrigger
    /// One past the last byte written or extended to.
    public var length: Int64 { lock.withLock { written } }

    /// Creates the file; fails if it exists unless `replace` is set.
    public init(path: String, replace: Bool = false) throws(FormatError) {
        self.path = path
        var options: FileDescriptor.OpenOptions = [.create, .closeOnExec, .truncate]
        if !replace { options.insert(.exclusiveCreate) }
        do {
            descriptor = try SystemCall.open(path, .writeOnly, options: options, permissions: [.ownerReadWrite, .groupRead, .otherRead])
        } catch {
            throw .io(file: path, operation: "create", error: error)
        }
        writeback = WritebackTrigger(descriptor: descriptor.rawValue)
    }

    deinit {
        if !closed {
            BackgroundFlush.drain()
            try? descriptor.close()
        }
    }

    /// Writes `bytes` at `offset` (see the type's note on threads); every
    /// `WritebackTrigger.interval` bytes they are flushed in the background: the files we write
    /// are fsynced when complete, and a pulled 1 GiB file otherwise left ~0.4 s for that fsync.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(FormatError) {
        lock.lock()
        defer { lock.unlock() }
        do {
            _ = try descriptor.writeAll(toAbsoluteOffset: offset, bytes)
        } catch {
            throw .io(file: path, operation: "write", error: error)
        }
        written = max(written, offset + Int64(bytes.count))
        writeback.wrote(bytes.count)
    }

    public func write(_ bytes: some Sequence<UInt8>, at offset: Int64) throws(FormatError) {
        let array = Array(bytes)
        var failure: FormatError?
        array.withUnsafeBytes { raw in
            do throws(FormatError) { try write(raw, at: offset) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    public func append(_ bytes: some Sequence<UInt8>) throws(FormatError) {
        try write(bytes, at: length)
    }

    /// Extends the file with zeros to `size` bytes (a hole where the filesystem allows).
    public func extend(to size: Int64) throws(FormatError) {
        guard size > length else { return }
        do {
            try descriptor.resize(to: size)
        } catch {
            throw .io(file: path, operation: "resize", error: error)
        }
        lock.withLock { written = size }
    }

    public func sync() throws(FormatError) {
        BackgroundFlush.drain()
        do { try SystemCall.sync(descriptor) } catch { throw .io(file: path, operation: "fsync", error: error) }
    }

    public func close() throws(FormatError) {
        guard !closed else { return }
        closed = true
        BackgroundFlush.drain()
        do { try descriptor.close() } catch { throw .io(file: path, operation: "close", error: error) }
    }
}

import CWriteback
import Foundation
import SystemPackage

/// A file opened for positional reads; owns its descriptor and closes it on deinit.
/// Every read is bounded by the size found at open, so sizes taken from other files are
/// checked before any memory is allocated for them.
public final class ReadableFile: Sendable {
    public let path: String
    public let size: Int64
    private let descriptor: FileDescriptor

    public init(path: String) throws(FormatError) {
        self.path = path
        do {
            descriptor = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec])
        } catch let errno as Errno {
            throw errno == .noSuchFileOrDirectory
                ? FormatError.missing(file: path, detail: "no such file")
                : FormatError.io(file: path, operation: "open", reason: errno.description)
        } catch {
            throw FormatError.io(file: path, operation: "open", reason: "\(error)")
        }
        do {
            size = try descriptor.seek(offset: 0, from: .end)
        } catch {
            try? descriptor.close()
            throw FormatError.io(file: path, operation: "seek", reason: "\(error)")
        }
    }

    deinit { try? descriptor.close() }

    /// Reads exactly `buffer.count` bytes at `offset`; the range must lie inside the file.
    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(FormatError) {
        guard offset >= 0, Int64(buffer.count) <= size - offset else {
            throw .truncated(file: path, detail: "\(buffer.count) bytes at offset \(offset) lie past the end (\(size) bytes)")
        }
        var done = 0
        while done < buffer.count {
            let n: Int
            do {
                n = try descriptor.read(fromAbsoluteOffset: offset + Int64(done),
                                        into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]))
            } catch {
                throw .io(file: path, operation: "read", reason: "\(error)")
            }
            guard n > 0 else { throw .truncated(file: path, detail: "the file shrank while it was read") }
            done += n
        }
    }

    public func read(at offset: Int64, count: Int) throws(FormatError) -> [UInt8] {
        guard count >= 0, offset >= 0, Int64(count) <= size - offset else {
            throw .truncated(file: path, detail: "\(count) bytes at offset \(offset) lie past the end (\(size) bytes)")
        }
        var bytes = [UInt8](repeating: 0, count: count)
        var failure: FormatError?
        bytes.withUnsafeMutableBytes { buffer in
            do throws(FormatError) { try read(at: offset, into: buffer) } catch { failure = error }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Calls `body` with the whole file front to back in pieces of at most `chunkSize`
    /// bytes, through one reused buffer.
    public func stream(chunkSize: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, min(chunkSize, Int(size))), alignment: 16)
        defer { buffer.deallocate() }
        var offset: Int64 = 0
        while offset < size {
            let piece = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(min(Int64(buffer.count), size - offset))])
            try read(at: offset, into: piece)
            try body(UnsafeRawBufferPointer(piece))
            offset += Int64(piece.count)
        }
    }

    public func readAll() throws(FormatError) -> [UInt8] {
        try read(at: 0, count: Int(size))
    }
}

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
            descriptor = try FileDescriptor.open(FilePath(path), .writeOnly, options: options, permissions: [.ownerReadWrite, .groupRead, .otherRead])
        } catch {
            throw FormatError.io(file: path, operation: "create", reason: "\(error)")
        }
        writeback = WritebackTrigger(descriptor: descriptor.rawValue)
    }

    deinit {
        if !closed {
            StartedWriteback.drain()
            try? descriptor.close()
        }
    }

    /// Writes `bytes` at `offset` (see the type's note on threads); every
    /// `WritebackTrigger.interval` bytes their writeback starts: the files we write are fsynced
    /// when complete, and a pulled 1 GiB file otherwise left ~0.4 s of writing for that fsync.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(FormatError) {
        lock.lock()
        defer { lock.unlock() }
        do {
            _ = try descriptor.writeAll(toAbsoluteOffset: offset, bytes)
        } catch {
            throw .io(file: path, operation: "write", reason: "\(error)")
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
            throw .io(file: path, operation: "resize", reason: "\(error)")
        }
        lock.withLock { written = size }
    }

    public func sync() throws(FormatError) {
        StartedWriteback.drain()
        guard fsync(descriptor.rawValue) == 0 else {
            throw .io(file: path, operation: "fsync", reason: String(cString: strerror(errno)))
        }
    }

    public func close() throws(FormatError) {
        guard !closed else { return }
        closed = true
        StartedWriteback.drain()
        do { try descriptor.close() } catch { throw .io(file: path, operation: "close", reason: "\(error)") }
    }
}

/// Counts the bytes written through one descriptor and starts their writeback
/// (`StartedWriteback`) every `interval` of them, so that the fsync at the end of a long write
/// finds little left to do. Serves the files a pull writes and the database a push fills.
struct WritebackTrigger {
    static let interval = 16 << 20

    let descriptor: Int32
    private var unstarted = 0

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    mutating func wrote(_ bytes: Int) {
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
enum StartedWriteback {
    private static let queue = DispatchQueue(label: "registry.writeback")

    static func start(_ descriptor: Int32) {
        queue.async { _ = registry_start_writeback(descriptor) }
    }

    static func drain() {
        queue.sync {}
    }
}

import Foundation
import SystemPackage

/// A file opened for positional reads; owns its descriptor and closes it on deinit.
/// Every read is bounded by the size found at open, so sizes taken from other files are
/// checked before any memory is allocated for them.
public final class ReadableFile: Sendable {
    public let path: String
    public let size: Int64
    /// Nil for an empty stand-in (`empty(path:)`), which has nothing to read.
    private let descriptor: FileDescriptor?

    /// Opens the file at `path` (a name the user gave, or a test's): files of a folder being
    /// imported are opened through its listing instead (`DirectoryListing.open`).
    public init(path: String) throws(FormatError) {
        self.path = path
        let opened: FileDescriptor
        do {
            opened = try SystemCall.open(path, .readOnly, options: [.closeOnExec])
        } catch Errno.noSuchFileOrDirectory {
            throw .missing(file: path, detail: "no such file")
        } catch {
            throw .io(file: path, operation: "open", error: error)
        }
        do {
            size = try opened.stat().size
        } catch {
            try? opened.close()
            throw .io(file: path, operation: "stat", error: error)
        }
        descriptor = opened
    }

    /// Takes over an open descriptor of a file of `size` bytes.
    package init(descriptor: FileDescriptor, path: String, size: Int64) {
        self.descriptor = descriptor
        self.path = path
        self.size = size
    }

    private init(emptyAt path: String) {
        self.path = path
        size = 0
        descriptor = nil
    }

    /// A file of no bytes that holds no descriptor: the stand-in for an absent data shard.
    package static func empty(path: String) -> ReadableFile { ReadableFile(emptyAt: path) }

    deinit { try? descriptor?.close() }

    /// Reads exactly `buffer.count` bytes at `offset`; the range must lie inside the file.
    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(FormatError) {
        guard offset >= 0, Int64(buffer.count) <= size - offset else {
            throw .truncated(file: path, detail: "\(buffer.count) bytes at offset \(offset) lie past the end (\(size) bytes)")
        }
        guard buffer.count > 0, let descriptor else { return }
        var done = 0
        while done < buffer.count {
            let n: Int
            do {
                n = try descriptor.read(fromAbsoluteOffset: offset + Int64(done),
                                        into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]))
            } catch {
                throw .io(file: path, operation: "read", error: error)
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

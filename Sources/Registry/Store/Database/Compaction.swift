import RegistryFormat
import Foundation
import GRDB

/// What `compact` did to the registry file.
package struct Compaction: Sendable {
    package var bytesBefore: Int64
    package var bytesAfter: Int64
}

/// `registry compact`: the registry rewritten at its smallest, through the disk.
extension RegistryDatabase {
    /// Room left on the disk beyond the copy, so that compact never fills it to the last byte.
    static let compactHeadroom: Int64 = 64 << 20

    /// A copy being written is `NAME.compact-HOST-PID-RANDOM` beside `NAME`; what a killed
    /// compact left is removed by the next compact or the next open for writing.
    static func compactionPrefix(_ path: String) -> String {
        (path as NSString).lastPathComponent + ".compact-\(FileSystem.host)-"
    }

    /// Rewrites the registry at its smallest: `VACUUM INTO` a file beside it (SQLite writes the
    /// copy page by page through the disk; its temporary files, if any, on disk too), fsynced,
    /// then renamed over the registry. Refuses first when the disk lacks room for the copy.
    /// Holds the write lock throughout, so no write is lost with the old file: other writers
    /// wait (up to their busy timeout), readers keep reading. Killed at any moment, the
    /// registry is the old file or the new one, whole. Converts a registry made before
    /// incremental vacuum (migration 0012). `progress` gets the bytes written and expected.
    package func compact(progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> Compaction {
        let folder = FileSystem.parentFolder(of: path)
        let prefix = Self.compactionPrefix(path)
        FileSystem.removeAbandoned(in: folder, prefix: prefix)
        let before = fileBytes
        let copy = folder + "/" + prefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(copy) }
        let copier = try CompactCopier(path: path, busyTimeout: busyTimeout, convert: !(try read { try $0.pageUsage() }).incremental)
        try transaction { session in
            let usage = try session.pageUsage()
            if try String.fetchOne(session.db, sql: "PRAGMA journal_mode") == "wal" {
                throw StoreError.unusable(path: path, detail: "it is in WAL mode while another process has it open; run compact when no other registry command is running")
            }
            let needed = usage.liveBytes + Self.compactHeadroom
            let available = try FileSystem.availableBytes(in: folder)
            guard available >= needed else { throw StoreError.insufficientSpace(path: path, needed: needed, available: available) }
            try copier.copy(to: copy, expected: usage.liveBytes, progress: progress)
            try FileSystem.syncFile(copy)
            guard rename(copy, path) == 0 else {
                throw FormatError.io(file: path, operation: "rename the compacted copy over", reason: String(cString: strerror(errno)))
            }
            try FileSystem.syncFolder(folder)
        }
        try reopen()
        return Compaction(bytesBefore: before, bytesAfter: fileBytes)
    }
}

/// The connection that writes compact's copy: its own, because `VACUUM INTO` cannot run inside
/// the transaction that holds the registry's write lock, with temporary files on disk (the
/// registry's own connections keep theirs in memory). The copy has the registry's
/// `auto_vacuum`, or with `convert` INCREMENTAL, asked before that lock is taken (the pragma
/// takes it briefly, and on an incremental file would write its header again).
private struct CompactCopier {
    let queue: DatabaseQueue

    init(path: String, busyTimeout: TimeInterval, convert: Bool) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "registry (compact)"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA temp_store = FILE")
            try db.execute(sql: "PRAGMA page_size = 32768")
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            if convert { try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL") } }
        } catch {
            throw StoreError.translating(error, path: path)
        }
    }

    /// Writes the copy, reporting its size against `expected` from another thread meanwhile.
    func copy(to target: String, expected: Int64, progress: (@Sendable (Int64, Int64) -> Void)?) throws {
        let timer = progress.map { report in
            let timer = DispatchSource.makeTimerSource(queue: .global())
            timer.schedule(deadline: .now(), repeating: .milliseconds(200))
            timer.setEventHandler {
                var info = stat()
                if stat(target, &info) == 0 { report(min(Int64(info.st_size), expected), expected) }
            }
            timer.resume()
            return timer
        }
        defer { timer?.cancel() }
        try queue.writeWithoutTransaction { try $0.execute(sql: "VACUUM INTO ?", arguments: [target]) }
        try queue.close()
        progress?(expected, expected)
    }
}

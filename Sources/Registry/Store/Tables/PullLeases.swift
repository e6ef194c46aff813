import Foundation
import GRDB
import RegistryFormat

/// Leases of running pulls (`pull_leases`, `leased_chunks`): the chunks a pull committed, or
/// relies on, are not collected by `gc` while the pull's process lives.
extension StoreSession {
    /// Opens a lease for this process; returns its id.
    package func beginLease() throws -> Int64 {
        let me = ProcessIdentity.current
        try db.execute(sql: "INSERT INTO pull_leases (pid, started, host, created_at) VALUES (?, ?, ?, ?)",
                       arguments: [me.pid, me.started, FileSystem.host, Date().timeIntervalSince1970])
        return db.lastInsertedRowID
    }

    /// Protects chunks under a lease.
    package func lease(chunkIDs: [Int64], lease: Int64) throws {
        let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO leased_chunks (lease_id, chunk_id) VALUES (?, ?)")
        for id in chunkIDs { try statement.execute(arguments: [lease, id]) }
    }

    /// Ends a lease (its chunks are then referenced by the version, or collectable).
    package func endLease(_ lease: Int64) throws {
        try db.execute(sql: "DELETE FROM pull_leases WHERE id = ?", arguments: [lease])
    }

    /// Drops the leases of processes that are gone (on this host; a lease of another host,
    /// where a registry file is shared over a network file system, is dropped after a day).
    package func dropExpiredLeases() throws {
        let rows = try Row.fetchAll(db, sql: "SELECT id, pid, started, host, created_at FROM pull_leases")
        for row in rows {
            let host: String = row[3]
            let alive = host == FileSystem.host
                ? ProcessIdentity(pid: row[1], started: row[2]).isAlive
                : Date().timeIntervalSince1970 - (row[4] as Double) < 86_400
            if !alive { try endLease(row[0]) }
        }
    }
}

/// A process as a lease names it: its pid and its start time (clock ticks after boot, from
/// /proc/PID/stat), so that a pid the kernel reused does not pass for the process that died.
struct ProcessIdentity: Equatable {
    var pid: Int32
    var started: Int64

    static var current: ProcessIdentity {
        let pid = getpid()
        return ProcessIdentity(pid: pid, started: startTime(pid) ?? 0)
    }

    var isAlive: Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let now = Self.startTime(pid) else { return started == 0 }
        return now == started
    }

    /// Field 22 of /proc/PID/stat (after the parenthesised command name, which may hold spaces).
    static func startTime(_ pid: Int32) -> Int64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); field 22 is fields[19].
        return fields.count > 19 ? Int64(fields[19]) : nil
    }
}

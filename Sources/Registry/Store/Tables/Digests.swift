import Foundation
import GRDB
import RegistryFormat

/// Version digests (`versions.digest`) and the `packs` table the digests are computed from.
extension StoreSession {
    /// Records the digest of a version's manifest.
    package func setDigest(_ digest: String, versionID: Int64) throws {
        try db.execute(sql: "UPDATE versions SET digest = ? WHERE id = ?", arguments: [digest, versionID])
    }

    /// The versions whose manifest has this digest (usually one; the same bytes pulled under
    /// two names are two versions), oldest first.
    package func versions(digest: String) throws -> [VersionRecord] {
        try VersionRecord.fetchAll(db, sql: "SELECT * FROM versions WHERE digest = ? ORDER BY id", arguments: [digest])
    }

    /// The blob digest and size of a pack, by the sha256 of its header; with its header bytes.
    package func pack(headerDigest: [UInt8]) throws -> (digest: [UInt8], size: Int64, header: [UInt8])? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT digest, size, header FROM packs WHERE header_digest = ?"),
                         arguments: [Data(headerDigest)]).map { row in
            ([UInt8](row[0] as Data), row[1], [UInt8](row[2] as Data))
        }
    }

    /// Remembers a pack (a no-op when it is known).
    package func insertPack(headerDigest: [UInt8], digest: [UInt8], size: Int64, header: [UInt8]) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO packs (header_digest, digest, size, header) VALUES (?, ?, ?, ?)",
                       arguments: [Data(headerDigest), Data(digest), size, Data(header)])
    }
}

import Crypto
import Foundation
import GRDB
import RegistryFormat

/// A version's digest: one SHA-256 over everything its export is made of, so that equal
/// digests mean byte-identical folders (a cache keyed by it never serves stale files).
extension StoreSession {
    /// `sha256:HEX` over the version's envelope (graph encoding, schema version, extra graph
    /// fields, text graph, bundle prefix and header), its meta graphs (position, tag set,
    /// content address), its tensors (key, entry bytes, content address) and its files and
    /// folders (path, content address), each field length-prefixed.
    package func versionDigest(versionID: Int64) throws -> String {
        var hasher = SHA256()
        func field(_ value: DatabaseValue) {
            let bytes: [UInt8]
            switch value.storage {
            case .null: bytes = [0xff]
            case .int64(let number): bytes = withUnsafeBytes(of: number.littleEndian) { [0x01] + Array($0) }
            case .double(let number): bytes = withUnsafeBytes(of: number.bitPattern.littleEndian) { [0x02] + Array($0) }
            case .string(let text): bytes = [0x03] + Array(text.utf8)
            case .blob(let data): bytes = [0x04] + Array(data)
            }
            hasher.update(data: withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { Array($0) })
            hasher.update(data: bytes)
        }
        let queries = [
            """
            SELECT v.graph_encoding, v.schema_version, v.graph_extra, c.hash, v.bundle_prefix, v.bundle_header
            FROM versions v LEFT JOIN contents c ON c.id = v.graph_text_id WHERE v.id = ?
            """,
            "SELECT m.position, m.tag_set, c.hash FROM meta_graphs m JOIN contents c ON c.id = m.content_id WHERE m.version_id = ? ORDER BY m.position",
            "SELECT t.key, t.entry, c.hash FROM tensors t LEFT JOIN contents c ON c.id = t.content_id WHERE t.version_id = ? ORDER BY t.key",
            "SELECT f.path, f.is_folder, c.hash FROM files f LEFT JOIN contents c ON c.id = f.content_id WHERE f.version_id = ? ORDER BY f.path",
        ]
        for (table, sql) in queries.enumerated() {
            field(Int64(table).databaseValue)
            for row in try Row.fetchAll(db, sql: sql, arguments: [versionID]) {
                for value in row.databaseValues { field(value) }
            }
        }
        return "sha256:" + hasher.finalize().map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

import Crypto
import GRDB
import RegistryFormat

/// A version's digest: one SHA-256 naming everything `pull` writes for it.
extension StoreSession {
    /// SHA-256 over the version's graph envelope, its meta graphs' content addresses (in
    /// order), each tensor's key, index entry and content address (by key), and each file's
    /// path and content address (by path): two versions have the same digest when their pulled
    /// folders are byte for byte the same, whatever their labels, aliases or history. Reads
    /// only rows and addresses, never a chunk.
    package func digest(versionID: Int64) throws -> String {
        var hasher = SHA256()
        func add(_ tag: String, _ parts: [DatabaseValue]) {
            hasher.update(data: Array(tag.utf8))
            for part in parts {
                var bytes: [UInt8]
                switch part.storage {
                case .null: bytes = []
                case .int64(let value): bytes = Array(String(value).utf8)
                case .double(let value): bytes = Array(String(value).utf8)
                case .string(let value): bytes = Array(value.utf8)
                case .blob(let value): bytes = Array(value)
                }
                var length: [UInt8] = []
                ByteWriter.appendUInt64LE(UInt64(bytes.count), to: &length)
                hasher.update(data: length)
                hasher.update(data: bytes)
            }
        }
        let statements: [(String, String)] = [
            ("v", """
                SELECT v.graph_encoding, v.schema_version, v.graph_extra, v.bundle_prefix, v.bundle_header, contents.hash
                FROM versions v LEFT JOIN contents ON contents.id = v.graph_text_id WHERE v.id = ?
                """),
            ("g", """
                SELECT meta_graphs.tag_set, contents.hash FROM meta_graphs JOIN contents ON contents.id = meta_graphs.content_id
                WHERE meta_graphs.version_id = ? ORDER BY meta_graphs.position
                """),
            ("t", """
                SELECT tensors.key, tensors.entry, contents.hash FROM tensors LEFT JOIN contents ON contents.id = tensors.content_id
                WHERE tensors.version_id = ? ORDER BY tensors.key
                """),
            ("f", """
                SELECT files.path, files.is_folder, contents.hash FROM files LEFT JOIN contents ON contents.id = files.content_id
                WHERE files.version_id = ? ORDER BY files.path
                """),
        ]
        for (tag, sql) in statements {
            try Row.fetchCursor(db, sql: sql, arguments: [versionID]).forEach { row in add(tag, Array(row.databaseValues)) }
        }
        return "sha256:" + hasher.finalize().map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

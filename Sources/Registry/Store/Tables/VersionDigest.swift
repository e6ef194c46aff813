import RegistryFormat
import Crypto
import Foundation
import GRDB

/// A version's content digest: one SHA-256 over everything an export of it writes (the graph
/// file's envelope and meta graphs, the bundle header, every tensor's entry and content
/// address, every file's path, size and content address), computed from rows alone, no chunk
/// read. Two versions with one digest export the same bytes, in this registry or another.
extension StoreSession {
    package func contentDigest(of version: VersionRecord) throws -> String {
        var hasher = DigestWriter()
        let versionID = version.id!
        hasher.add(version.graphEncoding.rawValue)
        hasher.add(version.schemaVersion)
        hasher.add(version.graphExtra)
        hasher.add(try version.graphTextID.flatMap { try Data.fetchOne(db, sql: "SELECT hash FROM contents WHERE id = ?", arguments: [$0]) })
        hasher.add(version.bundlePrefix.map { Data($0.utf8) })
        hasher.add(version.bundleHeader)
        let graphs = try Row.fetchAll(db, sql: """
            SELECT meta_graphs.tag_set, contents.hash FROM meta_graphs JOIN contents ON contents.id = meta_graphs.content_id
            WHERE meta_graphs.version_id = ? ORDER BY meta_graphs.position
            """, arguments: [versionID])
        hasher.add(Int64(graphs.count))
        for row in graphs { hasher.add(row[0] as String); hasher.add(row[1] as Data) }
        let tensors = try Row.fetchCursor(db, sql: """
            SELECT tensors.key, tensors.entry, contents.hash FROM tensors LEFT JOIN contents ON contents.id = tensors.content_id
            WHERE tensors.version_id = ? ORDER BY tensors.key
            """, arguments: [versionID])
        while let row = try tensors.next() { hasher.add(row[0] as Data); hasher.add(row[1] as Data?); hasher.add(row[2] as Data?) }
        let files = try Row.fetchCursor(db, sql: """
            SELECT files.path, files.is_folder, files.size, contents.hash FROM files LEFT JOIN contents ON contents.id = files.content_id
            WHERE files.version_id = ? ORDER BY files.path
            """, arguments: [versionID])
        while let row = try files.next() {
            hasher.add(row[0] as String); hasher.add(row[1] as Int64); hasher.add(row[2] as Int64); hasher.add(row[3] as Data?)
        }
        return hasher.finish()
    }
}

/// Feeds values to SHA-256 each with a tag and a length, so that no two different sequences
/// of values hash the same bytes.
private struct DigestWriter {
    private var hasher = SHA256()

    mutating func add(_ data: Data?) {
        guard let data else { return hasher.update(data: [0]) }
        var header: [UInt8] = [1]
        ByteWriter.appendUInt64LE(UInt64(data.count), to: &header)
        hasher.update(data: header)
        hasher.update(data: data)
    }

    mutating func add(_ text: String) { add(Data(text.utf8)) }

    mutating func add(_ number: Int64) {
        var bytes: [UInt8] = [2]
        ByteWriter.appendUInt64LE(UInt64(bitPattern: number), to: &bytes)
        hasher.update(data: bytes)
    }

    func finish() -> String {
        "sha256:" + hasher.finalize().map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

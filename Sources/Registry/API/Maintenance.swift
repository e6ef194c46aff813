import Foundation
import GRDB

extension ModelRegistry {
    /// Points `alias` of `model` at version `number` (moving it if it exists).
    public func setAlias(model: String, alias: String, version number: Int64) throws {
        _ = try VersionReference(parsing: "\(model)@\(alias)")
        try write { db in
            let version = try Self.resolve(VersionReference(model: model, selector: .number(number)), db: db)
            try AliasRecord(modelID: version.modelID, alias: alias, versionID: version.id!).save(db)
        }
    }

    /// Removes an alias; the version stays.
    public func removeAlias(model: String, alias: String) throws {
        try write { db in
            _ = try Self.resolve(VersionReference(model: model, selector: .alias(alias)), db: db)
            try db.execute(sql: "DELETE FROM aliases WHERE alias = ? AND model_id = (SELECT id FROM models WHERE name = ?)", arguments: [alias, model])
        }
    }

    /// Deletes a version (its aliases go with it). Its bytes stay until `gc`.
    public func remove(_ reference: VersionReference) throws -> Int64 {
        try write { db in
            let version = try Self.resolve(reference, db: db)
            try db.execute(sql: "UPDATE versions SET parent_id = NULL WHERE parent_id = ?", arguments: [version.id!])
            try db.execute(sql: "DELETE FROM versions WHERE id = ?", arguments: [version.id!])
            return version.number
        }
    }

    /// Deletes a model and every version of it. Its bytes stay until `gc`.
    public func removeModel(_ name: String) throws -> Int {
        try write { db in
            guard let id = try Self.modelID(named: name, create: false, db: db) else { throw RegistryError.modelNotFound(name) }
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM versions WHERE model_id = ?", arguments: [id]) ?? 0
            try db.execute(sql: "UPDATE versions SET parent_id = NULL WHERE parent_id IN (SELECT id FROM versions WHERE model_id = ?)", arguments: [id])
            try db.execute(sql: "DELETE FROM models WHERE id = ?", arguments: [id])
            return count
        }
    }

    /// Drops contents no version refers to and chunks no content refers to, then returns the
    /// freed pages to the file system.
    public func collectGarbage() throws -> GCReport {
        let before = fileBytes()
        var report = try write { db -> GCReport in
            try db.execute(sql: """
                DELETE FROM contents WHERE id NOT IN (
                    SELECT content_id FROM tensors WHERE content_id IS NOT NULL
                    UNION SELECT content_id FROM files WHERE content_id IS NOT NULL
                    UNION SELECT content_id FROM meta_graphs
                    UNION SELECT graph_text_id FROM versions WHERE graph_text_id IS NOT NULL)
                """)
            let contents = db.changesCount
            // A chunk no content uses may still be the delta base of one that is used: drop
            // unused chunks that are nobody's base, again until none is left (chains are short).
            var freed: Int64 = 0, chunksRemoved = 0
            let unused = """
                FROM chunks WHERE NOT EXISTS (SELECT 1 FROM content_chunks cc WHERE cc.chunk_id = chunks.id)
                AND NOT EXISTS (SELECT 1 FROM chunks d WHERE d.base_id = chunks.id)
                """
            while true {
                freed += try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(stored_size), 0) " + unused) ?? 0
                try db.execute(sql: "DELETE " + unused)
                if db.changesCount == 0 { break }
                chunksRemoved += db.changesCount
            }
            return GCReport(contentsRemoved: contents, chunksRemoved: chunksRemoved, bytesFreed: freed, fileBytesBefore: before, fileBytesAfter: 0)
        }
        try writeWithoutTransaction { db in
            try db.execute(sql: "VACUUM")
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        report.fileBytesAfter = fileBytes()
        return report
    }

    /// Size of the database file plus its journal.
    func fileBytes() -> Int64 {
        [path, path + "-wal", path + "-journal"].reduce(Int64(0)) { total, file in
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0
            return total + size
        }
    }

    /// Re-reads every stored byte of the chosen versions (all when nil): each chunk against its
    /// sha256 and recorded size, each content against its address, each tensor against its
    /// crc32c. Damaged items are listed, not thrown.
    public func verify(_ reference: VersionReference? = nil, progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> VerifyReport {
        try read { db in
            let versions: [VersionRecord]
            if let reference {
                versions = [try Self.resolve(reference, db: db)]
            } else {
                versions = try VersionRecord.order(Column("model_id"), Column("number")).fetchAll(db)
            }
            let total = try versions.reduce(Int64(0)) { sum, version in
                sum + (try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(size), 0) FROM tensors WHERE version_id = ?", arguments: [version.id!]) ?? 0)
            }
            var report = VerifyReport(versions: versions.count, tensors: 0, files: 0, chunks: 0, bytes: 0, problems: [])
            let reader = ContentReader(db: db, verifyHashes: true)
            var verifiedContents: [Int64: String?] = [:]
            for version in versions {
                let model = try String.fetchOne(db, sql: "SELECT name FROM models WHERE id = ?", arguments: [version.modelID]) ?? "?"
                func problem(_ item: String, _ detail: String) {
                    report.problems.append(.init(model: model, version: version.number, item: item, detail: detail))
                }
                func check(_ contentID: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) -> String? {
                    do {
                        try reader.stream(contentID, body)
                        try Self.checkAddress(contentID, db: db)
                        return nil
                    } catch {
                        return "\(error)"
                    }
                }
                for graph in try MetaGraphRecord.filter(Column("version_id") == version.id!).fetchAll(db) {
                    if let failure = check(graph.contentID, { _ in }) { problem("meta graph {\(graph.tagSet)}", failure) }
                }
                // A text graph is written back from its own content, not from the meta graphs above.
                if let textID = version.graphTextID, let failure = check(textID, { _ in }) {
                    problem("file \(SavedModelFile.textName)", failure)
                }
                for row in try TensorRecord.filter(Column("version_id") == version.id!).fetchAll(db) {
                    report.tensors += 1
                    guard let contentID = row.contentID else { continue }
                    let entry = try row.entry()
                    var bytes: [UInt8] = []
                    var crc: UInt32 = 0
                    var size: Int64 = 0
                    if let known = verifiedContents[contentID], known == nil, entry.dtype.elementSize != nil {
                        continue  // same bytes already checked (the crc is a function of the bytes)
                    }
                    if let failure = check(contentID, { piece in
                        size += Int64(piece.count)
                        if entry.dtype.elementSize == nil { bytes.append(contentsOf: piece) } else { crc = CRC32C.extend(crc, piece) }
                        progress?(report.bytes + size, total)
                    }) {
                        problem("tensor '\(row.name)'", failure)
                        verifiedContents[contentID] = .some(failure)
                        continue
                    }
                    report.bytes += size
                    do {
                        guard size == entry.size else { throw StoreError.damaged(what: "tensor", detail: "\(size) bytes stored, \(entry.size) recorded") }
                        if entry.dtype.elementSize == nil {
                            try BundleReader.verify(entry, payload: bytes, file: "stored tensor")
                        } else if crc != CRC32C.unmask(entry.maskedCRC32C) {
                            throw FormatError.checksumMismatch(file: "stored tensor", entry: row.name, expected: CRC32C.unmask(entry.maskedCRC32C), actual: crc)
                        }
                        verifiedContents[contentID] = .some(nil)
                    } catch {
                        problem("tensor '\(row.name)'", "\(error)")
                    }
                }
                for file in try FileRecord.filter(Column("version_id") == version.id! && Column("is_folder") == false).fetchAll(db) {
                    report.files += 1
                    guard let contentID = file.contentID else { continue }
                    if let failure = check(contentID, { _ in }) { problem("file \(file.path)", failure) }
                }
            }
            report.chunks = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM chunks") ?? 0
            return report
        }
    }

    /// A content's address must be the hash of its chunks' addresses and its size.
    static func checkAddress(_ contentID: Int64, db: Database) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT hash, size FROM contents WHERE id = ?", arguments: [contentID]) else {
            throw StoreError.damaged(what: "content \(contentID)", detail: "its row is missing")
        }
        let hashes = try ContentReader(db: db).chunkList(contentID).map(\.hash)
        let expected = ContentHash.ofContent(chunks: hashes, size: row[1])
        guard Data(expected.bytes) == (row[0] as Data) else {
            throw StoreError.damaged(what: "content \(contentID)", detail: "its chunk list no longer matches its address")
        }
    }
}

import Foundation
import GRDB

/// The registry: one SQLite file holding every version of every model. All reads and
/// writes of models go through here; each push is one transaction, all or nothing.
public final class ModelRegistry {
    public let path: String
    let queue: DatabaseQueue

    /// Opens (creating on first use) the registry database at `path`. A write waits up to
    /// `busyTimeout` seconds for another process's write to finish.
    public init(path: String, readOnly: Bool = false, busyTimeout: TimeInterval = 30) throws {
        self.path = path
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            throw RegistryError.unsafeRegistryPath(path: path, reason: "the registry file is a symbolic link; point --registry at the real file")
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) && !readOnly {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw StoreError.unusable(path: path, detail: "cannot create \(folder): \(error.localizedDescription)")
            }
        }
        do {
            queue = try RegistryDatabase.open(path: path, readOnly: readOnly, busyTimeout: busyTimeout)
        } catch {
            throw StoreError.translating(error, path: path)
        }
    }

    // Every database access goes through these, so SQLite's errors reach users in words.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.read(body) } catch { throw StoreError.translating(error, path: path) }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.write(body) } catch { throw StoreError.translating(error, path: path) }
    }

    func writeWithoutTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.writeWithoutTransaction(body) } catch { throw StoreError.translating(error, path: path) }
    }

    /// Options of a push beyond the folder and the model name.
    public struct PushOptions: Sendable {
        public var labels: [String: String] = [:]
        public var aliases: [String] = []
        public var parent: VersionReference?
        public var source: String?
        public var run: String?
        public var globalStep: Int64?
        public var metrics: [String: Double]?
        public init() {}
    }

    /// Imports a SavedModel folder as the next version of `model`.
    public func push(savedModel folder: String, model: String, options: PushOptions = PushOptions(),
                     progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> PushResult {
        try VersionReference.validate(modelName: model)
        let directory = try SavedModelDirectory.open(folder)
        let importer = SavedModelImporter(model: directory)
        let total = importer.totalBytes
        return try writeVersion(model: model, kind: "saved_model", options: options, source: options.source ?? absolute(folder)) { version, db, writer in
            var done: Int64 = 0
            writer.progress = { bytes in done += bytes; progress?(done, total) }
            try importer.run(version: &version, db: db, writer: writer)
            return (directory.variables?.index.entries.count ?? 0, directory.otherFiles.count)
        }
    }

    /// Creates the next version of `model` in one IMMEDIATE transaction; `body` fills it.
    func writeVersion(model: String, kind: String, options: PushOptions, source: String?,
                      _ body: (inout VersionRecord, Database, ContentWriter) throws -> (tensors: Int, files: Int)) throws -> PushResult {
        try inImmediateTransaction { db in
            try insertVersion(db: db, model: model, kind: kind, options: options, source: source, body)
        }
    }

    /// Runs `body` in one IMMEDIATE transaction: all of it commits, or none.
    func inImmediateTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }

    /// Inserts the next version of `model` inside the caller's transaction; `body` fills it in
    /// and must insert the version row itself.
    func insertVersion(db: Database, model: String, kind: String, options: PushOptions, source: String?,
                       _ body: (inout VersionRecord, Database, ContentWriter) throws -> (tensors: Int, files: Int)) throws -> PushResult {
        for (key, _) in options.labels where key.isEmpty || key.contains("=") { throw RegistryError.invalidLabel(key) }
        let modelID = try Self.modelID(named: model, create: true, db: db)!
        let number = (try Int64.fetchOne(db, sql: "SELECT last_number FROM models WHERE id = ?", arguments: [modelID]) ?? 0) + 1
        try db.execute(sql: "UPDATE models SET last_number = ? WHERE id = ?", arguments: [number, modelID])
        var parentID: Int64?
        if let parent = options.parent { parentID = try Self.resolve(parent, db: db).id }
        var version = VersionRecord(
            modelID: modelID, number: number, createdAt: Date().timeIntervalSince1970, kind: kind, source: source,
            parentID: parentID, run: options.run, globalStep: options.globalStep,
            metricsJSON: try options.metrics.map { String(decoding: try JSONEncoder.sorted.encode($0), as: UTF8.self) },
            graphEncoding: "binary", schemaVersion: 1)
        let writer = ContentWriter(db: db)
        let counts = try body(&version, db, writer)
        try writer.flush()
        for (key, value) in options.labels {
            try LabelRecord(versionID: version.id!, key: key, value: value).insert(db)
        }
        for alias in options.aliases {
            try AliasRecord(modelID: modelID, alias: alias, versionID: version.id!).save(db)
        }
        return PushResult(model: model, version: number, tensors: counts.tensors, files: counts.files, statistics: writer.statistics)
    }

    /// Writes a version out as a folder; without `tagSets` it is byte-identical to what was pushed.
    public func pull(_ reference: VersionReference, to folder: String, tagSets: [TagSet]? = nil, force: Bool = false,
                     progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> PullResult {
        try read { db in
            let version = try Self.resolve(reference, db: db)
            let total = try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(size), 0) FROM tensors WHERE version_id = ?", arguments: [version.id!]) ?? 0
                + (Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(size), 0) FROM files WHERE version_id = ?", arguments: [version.id!]) ?? 0)
            var exporter = FolderExporter(db: db, version: version)
            var done: Int64 = 0
            exporter.progress = { bytes in done += bytes; progress?(done, total) }
            let bytes = try exporter.export(to: folder, tagSets: tagSets, force: force)
            let graphs = try String.fetchAll(db, sql: "SELECT tag_set FROM meta_graphs WHERE version_id = ? ORDER BY position", arguments: [version.id!])
            let written = tagSets.map { sets in graphs.filter { Set(sets.map(\.description)).contains($0) } } ?? graphs
            return PullResult(model: reference.model, version: version.number, path: folder, bytes: bytes, tagSets: written)
        }
    }

    // MARK: - Resolution

    static func modelID(named name: String, create: Bool, db: Database) throws -> Int64? {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM models WHERE name = ?", arguments: [name]) { return id }
        guard create else { return nil }
        var record = ModelRecord(name: name, createdAt: Date().timeIntervalSince1970)
        try record.insert(db)
        return record.id
    }

    static func resolve(_ reference: VersionReference, db: Database) throws -> VersionRecord {
        guard let modelID = try modelID(named: reference.model, create: false, db: db) else {
            throw RegistryError.modelNotFound(reference.model)
        }
        let version: VersionRecord?
        switch reference.selector {
        case .latest:
            version = try VersionRecord.fetchOne(db, sql: "SELECT * FROM versions WHERE model_id = ? ORDER BY number DESC LIMIT 1", arguments: [modelID])
            guard let version else { throw RegistryError.modelNotFound(reference.model) }
            return version
        case .number(let number):
            version = try VersionRecord.fetchOne(db, sql: "SELECT * FROM versions WHERE model_id = ? AND number = ?", arguments: [modelID, number])
            guard let version else { throw RegistryError.versionNotFound(model: reference.model, number: number) }
            return version
        case .alias(let alias):
            version = try VersionRecord.fetchOne(db, sql: """
                SELECT versions.* FROM aliases JOIN versions ON versions.id = aliases.version_id
                WHERE aliases.model_id = ? AND aliases.alias = ?
                """, arguments: [modelID, alias])
            guard let version else { throw RegistryError.aliasNotFound(model: reference.model, alias: alias) }
            return version
        }
    }

    func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

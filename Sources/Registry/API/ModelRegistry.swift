import Foundation
import RegistryFormat
import RegistryInterchange
import RegistryRemote
import RegistryStore

/// The registry: one SQLite file holding every version of every model. The one door to it
/// for the CLI and Train: each verb composes the layers below (Store for the rows, Interchange
/// for folders, Remote for OCI registries); each push is one transaction, all or nothing.
public final class ModelRegistry {
    public let path: String
    package let store: RegistryDatabase

    /// Opens the registry database at `path`; with `create` (the default) a missing one is
    /// created, folders included, and `created` says so. Without `create` (the verbs that only
    /// read) a missing registry is `StoreError.noRegistry` and nothing is created. A write
    /// waits up to `busyTimeout` seconds for another process's write to finish.
    public init(path: String, readOnly: Bool = false, create: Bool = true, busyTimeout: TimeInterval = 30) throws {
        self.path = path
        store = try RegistryDatabase(path: path, readOnly: readOnly, create: create, busyTimeout: busyTimeout)
    }

    /// Whether opening it created the registry (a new, empty file).
    public var created: Bool { store.created }

    /// Options of a push beyond the folder and the model name.
    public struct PushOptions: Sendable {
        public var labels: [String: String] = [:]
        public var aliases: [String] = []
        public var parent: VersionReference?
        public var source: String?
        public var run: String?
        public var globalStep: Int64?
        public var metrics: [String: Double]?
        /// A TensorBoard log folder whose scalars join the model's series (`EventLog`).
        public var events: String?
        /// Starts the run's `tf.train.Saver` retention with these rules, as constructing a
        /// Saver does: its keep clock starts at `retentionSince` (default: the save time).
        public var retention: RetentionPolicy?
        public var retentionSince: Date?
        /// When the checkpoint was saved (default: now): the version's time, which retention
        /// compares with the run's keep time.
        public var savedAt: Date?
        /// When the version is recorded as created; nil for now (`REGISTRY_CREATED_AT` in the CLI).
        public var createdAt: Date?
        public init() {}

        /// The new version these options describe.
        func newVersion(model: String, kind: VersionKind, source: String?) -> NewVersion {
            var new = NewVersion(model: model, kind: kind)
            new.source = source
            new.parent = parent
            new.run = run
            new.globalStep = globalStep
            new.metrics = metrics
            new.labels = labels
            new.aliases = aliases
            new.createdAt = createdAt?.timeIntervalSince1970
            return new
        }

        /// The aliases a push may set: the reference grammar's, and never `latest`.
        func checkAliases(model: String) throws {
            for alias in aliases { try ModelRegistry.checkAlias(alias, model: model) }
        }

        /// Throws what a push of `model` with these options would refuse for its name, aliases
        /// or labels, so that a command can refuse before it creates a registry.
        public func validate(model: String) throws {
            try VersionReference.validate(modelName: model)
            try checkAliases(model: model)
            for key in labels.keys where key.isEmpty || key.contains("=") { throw ReferenceError.invalidLabel(key) }
        }
    }

    /// Imports a SavedModel folder as the next version of `model`. A model keeps one kind: a
    /// model of checkpoints is refused (`RegistryError.kindMismatch`).
    public func push(savedModel folder: String, model: String, options: PushOptions = PushOptions(),
                     progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> PushResult {
        try VersionReference.validate(modelName: model)
        try options.checkAliases(model: model)
        if options.retention != nil { throw RegistryError.retentionOfSavedModel(folder: folder) }
        return try push(try SavedModelDirectory.open(folder), model: model, options: options, progress: progress)
    }

    /// Imports a SavedModel folder opened (scanned) already.
    package func push(_ directory: SavedModelDirectory, model: String, options: PushOptions = PushOptions(),
                      progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> PushResult {
        let importer = SavedModelImporter(model: directory)
        let total = importer.totalBytes
        let logged = try LoggedMetrics(options)
        var new = options.newVersion(model: model, kind: .savedModel, source: options.source ?? Self.absolute(directory.path))
        new.metrics = logged.metrics(at: options.globalStep)
        let provenance = Provenance.current(folder: Self.absolute(directory.path))
        return try store.transaction { session in
            try Self.admit(.savedModel, model: model, session: session)
            let created = try Self.createVersion(new, totalBytes: total, session: session) { version, writer in
                var done: Int64 = 0
                writer.progress = { bytes in done += bytes; progress?(done, total) }
                if let savedAt = options.savedAt { version.createdAt = savedAt.timeIntervalSince1970 }
                provenance.apply(to: &version)
                return try importer.run(version: &version, session: session, writer: writer)
            }
            try logged.record(session: session, model: model, steps: [options.globalStep])
            return PushResult(created, tensorBytes: try session.tensorBytes(versionID: created.id),
                              digest: try Self.seal(created, session: session))
        }
    }

    /// Records a new version in `session` (`StoreSession.createVersion`) while hashing the
    /// packs it travels in (`PackDigester`), so that `seal` reads none of its bytes back.
    /// `totalBytes` is about what the version holds (it picks the pack size).
    static func createVersion(_ new: NewVersion, totalBytes: Int64, session: StoreSession,
                              fill: (inout VersionRecord, ContentWriter) throws -> (tensors: Int, files: Int)) throws -> CreatedVersion {
        let digester = PackDigester(session: session, totalBytes: totalBytes)
        let created = try session.createVersion(new) { version, writer in
            digester.watch(writer)
            return try fill(&version, writer)
        }
        try digester.finish()
        return created
    }

    /// Completes a version just made in `session`: its parent's name and digest as they are
    /// now, then its own digest (`VersionDigest`); returns the digest.
    static func seal(_ created: CreatedVersion, session: StoreSession) throws -> String {
        try session.recordParentProvenance(versionID: created.id)
        return try VersionDigest.record(versionID: created.id, session: session)
    }

    /// The rule that a model keeps one kind: adding `kind` to `model` is refused when it holds
    /// versions of the other kind.
    static func admit(_ kind: VersionKind, model: String, session: StoreSession) throws {
        guard let modelID = try session.modelID(named: model), let held = try session.modelKind(modelID: modelID), held != kind else { return }
        throw RegistryError.kindMismatch(model: model, holds: held, adding: kind)
    }

    /// Writes a version out as a folder; without `tagSets` it is byte-identical to what was
    /// pushed. A tag set the version lacks is refused before anything is written, naming the
    /// tag sets it has. Missing folders above `folder` are created.
    public func pull(_ reference: VersionReference, to folder: String, tagSets: [TagSet]? = nil, force: Bool = false,
                     progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> PullResult {
        try store.read { session in
            let version = try session.resolve(reference)
            let graphs = try session.metaGraphs(versionID: version.id!).map(\.tagSet)
            if let tagSets {
                let missing = Set(tagSets).subtracting(graphs)
                if !missing.isEmpty { throw InterchangeError.noSuchTagSet(requested: missing.sorted(), available: graphs) }
            }
            var exporter = FolderExporter(session: session, version: version)
            var done: Int64 = 0, total: Int64 = 0
            exporter.expecting = { total = $0 }
            exporter.progress = { bytes in done += bytes; progress?(done, total) }
            let bytes = try exporter.export(to: folder, tagSets: tagSets, force: force)
            let written = tagSets.map { sets in graphs.filter(Set(sets).contains) } ?? graphs
            return PullResult(model: reference.model, version: version.number, path: folder, bytes: bytes,
                              tensorBytes: try session.tensorBytes(versionID: version.id!), tagSets: written)
        }
    }

    /// `path` made absolute, as a version's source records it.
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}

import Foundation
import RegistryFormat
import RegistryInterchange
import RegistryStore

/// The registry: one SQLite file holding every version of every model. The one door to it
/// for the CLI and Train: each verb composes the layers below (Store for the rows, Interchange
/// for folders, Remote for OCI registries); each push is one transaction, all or nothing.
public final class ModelRegistry {
    public let path: String
    package let store: RegistryDatabase

    /// Opens (creating on first use) the registry database at `path`. A write waits up to
    /// `busyTimeout` seconds for another process's write to finish.
    public init(path: String, readOnly: Bool = false, busyTimeout: TimeInterval = 30) throws {
        self.path = path
        store = try RegistryDatabase(path: path, readOnly: readOnly, busyTimeout: busyTimeout)
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
        /// A TensorBoard log folder whose scalars join the model's series (`EventLog`).
        public var events: String?
        /// Starts the run's `tf.train.Saver` retention with these rules, as constructing a
        /// Saver does: its keep clock starts at `retentionSince` (default: the save time).
        public var retention: RetentionPolicy?
        public var retentionSince: Date?
        /// When the checkpoint was saved (default: now): the version's time, which retention
        /// compares with the run's keep time.
        public var savedAt: Date?
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
            return new
        }
    }

    /// Imports a SavedModel folder as the next version of `model`.
    public func push(savedModel folder: String, model: String, options: PushOptions = PushOptions(),
                     progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> PushResult {
        try VersionReference.validate(modelName: model)
        if options.retention != nil { throw RegistryError.retentionOfSavedModel(folder: folder) }
        let importer = SavedModelImporter(model: try SavedModelDirectory.open(folder))
        let total = importer.totalBytes
        let logged = try LoggedMetrics(options)
        var new = options.newVersion(model: model, kind: .savedModel, source: options.source ?? Self.absolute(folder))
        new.metrics = logged.metrics(at: options.globalStep)
        let created = try store.transaction { session in
            let created = try session.createVersion(new) { version, writer in
                var done: Int64 = 0
                writer.progress = { bytes in done += bytes; progress?(done, total) }
                if let savedAt = options.savedAt { version.createdAt = savedAt.timeIntervalSince1970 }
                return try importer.run(version: &version, session: session, writer: writer)
            }
            try logged.record(session: session, model: model, steps: [options.globalStep])
            return created
        }
        return PushResult(created)
    }

    /// Writes a version out as a folder; without `tagSets` it is byte-identical to what was pushed.
    public func pull(_ reference: VersionReference, to folder: String, tagSets: [TagSet]? = nil, force: Bool = false,
                     progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> PullResult {
        try store.read { session in
            let version = try session.resolve(reference)
            let total = try session.storedBytes(versionID: version.id!)
            var exporter = FolderExporter(session: session, version: version)
            var done: Int64 = 0
            exporter.progress = { bytes in done += bytes; progress?(done, total) }
            let bytes = try exporter.export(to: folder, tagSets: tagSets, force: force)
            let graphs = try session.metaGraphs(versionID: version.id!).map(\.tagSet)
            let written = tagSets.map { sets in graphs.filter(Set(sets).contains) } ?? graphs
            return PullResult(model: reference.model, version: version.number, path: folder, bytes: bytes, tagSets: written)
        }
    }

    /// `path` made absolute, as a version's source records it.
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}

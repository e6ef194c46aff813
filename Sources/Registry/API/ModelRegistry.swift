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
        let importer = SavedModelImporter(model: try SavedModelDirectory.open(folder))
        let total = importer.totalBytes
        let new = options.newVersion(model: model, kind: .savedModel, source: options.source ?? Self.absolute(folder))
        let provenance = Provenance.current(folder: Self.absolute(folder))
        return try store.transaction { session in
            let created = try session.createVersion(new) { version, writer in
                var done: Int64 = 0
                writer.progress = { bytes in done += bytes; progress?(done, total) }
                provenance.apply(to: &version)
                return try importer.run(version: &version, session: session, writer: writer)
            }
            return PushResult(created, digest: try Self.seal(created, session: session))
        }
    }

    /// Completes a version just made in `session`: its parent's name and digest as they are
    /// now, then its own digest (`VersionDigest`); returns the digest.
    static func seal(_ created: CreatedVersion, session: StoreSession) throws -> String {
        try session.recordParentProvenance(versionID: created.id)
        return try VersionDigest.record(versionID: created.id, session: session)
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

import Foundation
import RegistryFormat
import RegistryStore

/// Brings a version from an OCI repository into the store.
package enum RemotePull {
    /// What a pull is asked to do besides fetching.
    package struct Request {
        /// The local model to add it to (default: the name it was made under).
        package var name: String?
        /// Whether a tag that is not `MODEL-N` or `latest` sets the local alias of its name.
        package var setAlias = true
        /// Runs inside the transaction that records the version (an export with `-o`): if it
        /// fails, nothing is recorded.
        package var afterImport: ((StoreSession, VersionRecord) throws -> Void)?
        /// Runs inside the version's transaction before it is recorded: the API's rules for
        /// what a model may hold (`ModelRegistry.admit`).
        package var admit: ((StoreSession, NewVersion) throws -> Void)?
        package init() {}
    }

    /// Brings the version `remote` names (`:TAG`, `@sha256:…`, else `:latest`) into this
    /// registry. A version whose digest is here already is not recorded again. Otherwise the
    /// manifest, the config and every pack are checked (`PackPlan`); chunks already stored are
    /// not fetched; fetched chunks are committed as they come (`PullCommitter`), so an
    /// interrupted pull keeps them and a re-run fetches only the rest. The version is recorded
    /// in one transaction, all or nothing, under its origin's name and provenance.
    package static func run(_ remote: OCIReference, request: Request, store: RegistryDatabase, credentials: OCICredentials,
                            limits: HTTPLimits, progress: (@Sendable (Int64, Int64) -> Void)?) throws -> RemotePullResult {
        let started = Date()
        if let name = request.name { try VersionReference.validate(modelName: name) }
        let tag = remote.digest == nil ? remote.tag ?? "latest" : remote.tag
        let repository = try OCIRepository(remote, credentials: credentials, limits: limits)
        let (manifestBytes, digest) = try repository.getManifest(remote.digest ?? tag!)
        let what = remote.repositoryReference + (tag.map { ":" + $0 } ?? "@" + digest)
        guard let manifest = try? JSONDecoder().decode(OCIManifest.self, from: manifestBytes) else {
            throw RemoteError.notAVersion(what: what, detail: "its manifest is not an OCI image manifest")
        }
        try manifest.checkIsVersion(what: what)
        let annotatedOrigin = manifest.annotations.flatMap { notes in
            notes[OCIAnnotation.model].flatMap { model in notes[OCIAnnotation.version].map { "\(model):\($0)" } }
        }
        func alias(origin: (model: String, version: Int64)) -> String? {
            guard request.setAlias, let tag, tag != "latest", tag != OCIReference.defaultTag(model: origin.model, version: origin.version)
            else { return nil }
            return tag
        }

        if let existing = try store.read({ try $0.versions(digest: digest) }).first {
            let origin = (existing.originModel ?? annotatedOrigin?.split(separator: ":").first.map(String.init) ?? "?",
                          existing.originNumber ?? existing.number)
            let aliasName = alias(origin: origin)
            let model = try store.write { session -> String in
                if let aliasName { try session.setAlias(aliasName, to: existing) }
                try request.afterImport?(session, existing)
                return try session.modelName(id: existing.modelID) ?? "?"
            }
            return RemotePullResult(model: model, version: existing.number, alreadyHere: true, remote: what, digest: digest,
                                    origin: "\(origin.0):\(origin.1)", alias: aliasName, chunks: 0, packs: manifest.layers.count,
                                    blobsFetched: 0, bytesFetched: 0, chunksPresent: 0, bytesPresent: 0, tensors: 0, files: 0,
                                    seconds: Date().timeIntervalSince(started))
        }

        let config = try ConfigFetch.fetch(manifest, repository: repository, what: what)
        let model = request.name ?? config.model
        try VersionReference.validate(modelName: model)
        var plan = try PullPlan(manifest: manifest, config: config, what: what)
        let fetched = try plan.fetch(repository: repository, store: store, progress: progress)
        let importer = RemoteImport(config: config, chunks: fetched.chunks, contentChunks: plan.contentChunks, crcs: fetched.crcs, what: what)
        try importer.validate()
        let aliasName = alias(origin: (config.model, config.version))
        let recorded = try store.transaction { session -> (VersionRecord, Int, Int) in
            let (version, counts) = try record(importer, model: model, source: what + "@" + digest, admit: request.admit,
                                               session: session)
            if let aliasName { try session.setAlias(aliasName, to: version) }
            try session.endLease(fetched.lease)
            try request.afterImport?(session, version)
            return (version, counts.tensors, counts.files)
        }
        return RemotePullResult(
            model: model, version: recorded.0.number, alreadyHere: false, remote: what, digest: digest,
            origin: "\(config.model):\(config.version)", alias: aliasName, chunks: fetched.chunks.count, packs: manifest.layers.count,
            blobsFetched: fetched.blobsFetched, bytesFetched: fetched.bytesFetched, chunksPresent: fetched.chunksPresent,
            bytesPresent: fetched.bytesPresent, tensors: recorded.1, files: recorded.2, seconds: Date().timeIntervalSince(started))
    }

    /// Records the version: its rows, its provenance as the config carries it, its origin, its
    /// local parent (the version of the parent's digest, if it is here) and its digest.
    private static func record(_ importer: RemoteImport, model: String, source: String,
                               admit: ((StoreSession, NewVersion) throws -> Void)?, session: StoreSession) throws -> (VersionRecord, (tensors: Int, files: Int)) {
        let config = importer.config
        let missing = try ContentReader(session).chunkIDs(importer.chunks.map(\.hash)).count
        if missing < importer.chunks.count { throw RemoteError.chunksVanished(count: importer.chunks.count - missing) }
        var new = NewVersion(model: model, kind: VersionKind(rawValue: config.kind)!)
        new.labels = config.labels
        new.run = config.run == nil ? nil : model
        new.globalStep = config.globalStep
        new.metrics = config.metrics
        try admit?(session, new)
        let parent = try config.provenance?.parentDigest.flatMap { try session.versions(digest: $0).first }
        let created = try session.createVersion(new) { version, writer in
            version.source = config.source
            version.parentID = parent?.id
            version.parentName = config.parent
            version.parentDigest = config.provenance?.parentDigest
            version.authorUser = config.provenance?.user
            version.authorHost = config.provenance?.host
            version.toolVersion = config.provenance?.tool
            version.gitCommit = config.provenance?.revision
            version.gitDirty = config.provenance?.dirty
            version.originModel = config.model
            version.originNumber = config.version
            version.originRemote = source
            return try importer.insert(into: &version, session: session, writer: writer)
        }
        var version = try session.resolve(VersionReference(model: model, selector: .number(created.number)))
        let digest = try VersionImage.build(version, session: session, remember: true).digest
        try session.setDigest(digest, versionID: version.id!)
        version.digest = digest
        return (version, (created.tensors, created.files))
    }
}

/// The config of a version, fetched within bounds and checked before it is decoded.
enum ConfigFetch {
    /// Largest config accepted: 16 MiB holds the rows of ~80,000 tensors. A config of an old
    /// format (a layer per chunk) may also be at most 64 KiB plus 512 bytes a layer.
    static let maxBytes = 16 << 20

    static func limit(for manifest: OCIManifest) -> Int {
        if manifest.layers.first?.mediaType == OCIMediaType.chunk { return min(maxBytes, (64 << 10) + 512 * manifest.layers.count) }
        return maxBytes
    }

    static func fetch(_ manifest: OCIManifest, repository: OCIRepository, what: String) throws -> VersionConfig {
        let data = try repository.fetch(manifest.config, what: "the config of \(what)", limit: limit(for: manifest))
        try ConfigScan.check(data, what: "the config of \(what)")
        let config: VersionConfig
        do {
            config = try JSONDecoder().decode(VersionConfig.self, from: data)
        } catch {
            throw RemoteError.notAVersion(what: what, detail: "its config does not decode (\(RemoteImport.printable("\(error)")))")
        }
        guard VersionConfig.readableFormats.contains(config.format) else {
            throw RemoteError.notAVersion(what: what, detail: "config format \(config.format) is from a newer registry; upgrade registry to pull it")
        }
        return config
    }
}

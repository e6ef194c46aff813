import Foundation
import RegistryInterchange
import RegistryRemote
import RegistryStore

extension ModelRegistry {
    /// Uploads one version to an OCI registry (`RemotePush`): the packs the remote lacks,
    /// the config, then the manifest under `remote.tag` (default `MODEL-N`), each alias of the
    /// version, `latest` when it is its model's latest, and `tags`. Credentials: `credentials`,
    /// else those found for the host (`OCICredentials.lookup`).
    public func pushRemote(_ reference: VersionReference, to remote: OCIReference, tags: [String] = [],
                           credentials: OCICredentials? = nil,
                           progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> RemotePushResult {
        try RemotePush.run(reference, store: store, to: remote, extraTags: tags, credentials: try credentials ?? .lookup(host: remote.host),
                           limits: try .fromEnvironment(), progress: progress)
    }

    /// Brings the version `remote` names (`:TAG`, `@DIGEST`, else `:latest`) into this registry
    /// (`RemotePull`) as a version of `name` (default: the name it was made under); a digest
    /// the registry holds records nothing new. A tag other than `MODEL-N` and `latest` sets the
    /// local alias of its name unless `alias` is false. With `exportTo`, the version is also
    /// written out as `pull -o` does, inside the same transaction: if the export fails, the
    /// version is not recorded either.
    public func pullRemote(_ remote: OCIReference, as name: String? = nil, alias: Bool = true, exportTo folder: String? = nil,
                           force: Bool = false, credentials: OCICredentials? = nil,
                           progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> (pull: RemotePullResult, export: PullResult?) {
        if let folder, !force, FileManager.default.fileExists(atPath: folder) { throw InterchangeError.targetExists(path: folder) }
        var request = RemotePull.Request()
        request.name = name
        request.setAlias = alias
        request.admit = { session, new in try Self.admit(new.kind, model: new.model, session: session) }
        var export: PullResult?
        if let folder {
            request.afterImport = { session, version in
                let bytes = try FolderExporter(session: session, version: version).export(to: folder, tagSets: nil, force: force)
                let model = try session.modelName(id: version.modelID) ?? "?"
                export = PullResult(model: model, version: version.number, path: folder, bytes: bytes,
                                    tensorBytes: try session.tensorBytes(versionID: version.id!),
                                    tagSets: try session.metaGraphs(versionID: version.id!).map(\.tagSet))
            }
        }
        do {
            let pulled = try RemotePull.run(remote, request: request, store: store, credentials: try credentials ?? .lookup(host: remote.host),
                                            limits: try .fromEnvironment(), progress: progress)
            return (pulled, export)
        } catch {
            // The export was written, then the version's commit failed: take the folder back.
            if let folder, export != nil { try? FileManager.default.removeItem(atPath: folder) }
            throw error
        }
    }

    /// Points `remote`'s tag at the manifest of a local version (pushed there before) or of a
    /// digest, without sending anything else; returns the digest the tag now names.
    public func moveRemoteTag(_ remote: OCIReference, to target: String, credentials: OCICredentials? = nil) throws -> String {
        guard let tag = remote.tag, remote.digest == nil else {
            throw RemoteError.invalidReference(remote.description, reason: "name the tag to move: oci://HOST/REPO:TAG")
        }
        let digest: String
        if target.hasPrefix("sha256:") {
            guard OCIReference.isValidDigest(target) else {
                throw RemoteError.invalidReference(target, reason: "a digest is sha256: followed by 64 lowercase hex digits")
            }
            digest = target
        } else {
            let reference = try VersionReference(parsing: target)
            digest = try store.read { session in try VersionDigest.of(try session.resolve(reference), session: session) }
        }
        try RemoteListing.moveTag(tag, of: remote, to: digest, credentials: try credentials ?? .lookup(host: remote.host),
                                  limits: try .fromEnvironment())
        return digest
    }
}

/// Looking at remote registries, and logging in to them: no local registry involved.
public enum Remotes {
    /// The tags of a repository with what each manifest's annotations say.
    public static func tags(of remote: OCIReference, credentials: OCICredentials? = nil) throws -> [RemoteTag] {
        try RemoteListing.tags(of: remote, credentials: try credentials ?? .lookup(host: remote.host), limits: try .fromEnvironment())
    }

    /// The repositories of a registry (`/v2/_catalog`, every page of `pageSize`).
    public static func repositories(of remote: OCIReference, pageSize: Int = 100, credentials: OCICredentials? = nil) throws -> [String] {
        try RemoteListing.repositories(of: remote, pageSize: pageSize, credentials: try credentials ?? .lookup(host: remote.host),
                                       limits: try .fromEnvironment())
    }

    /// Checks credentials against the registry at `remote`'s host (`GET /v2/`, answering its
    /// challenge), then stores them as `docker login` does; returns where they went.
    public static func login(_ remote: OCIReference, username: String, password: String) throws -> String {
        try RemoteLogin.run(remote, username: username, password: password, limits: try .fromEnvironment())
    }
}

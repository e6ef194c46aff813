import Foundation
import RegistryRemote
import RegistryStore

extension ModelRegistry {
    /// Uploads one version to an OCI registry: each distinct chunk as a blob whose digest is
    /// its address (a HEAD first, so blobs the remote holds are not sent again), then the
    /// config blob with the version's rows, then the manifest under `remote.tag` (default
    /// `MODEL-N`). Re-running an interrupted push sends only what is missing.
    public func pushRemote(_ reference: VersionReference, to remote: OCIReference, credentials: OCICredentials = .fromEnvironment(),
                           progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> RemotePushResult {
        try RemotePush.run(reference, store: store, to: remote, credentials: credentials, progress: progress)
    }

    /// Brings a version pushed with `pushRemote` into this registry as the next version of
    /// `name` (default: the model name it was pushed under). The manifest, the config and every
    /// chunk are checked against their digests; chunks already stored here are not fetched;
    /// fetched chunks are committed a batch at a time, so an interrupted pull keeps them and a
    /// re-run fetches only the rest (`gc` removes them if the pull is abandoned). The version
    /// itself is recorded in one transaction, all or nothing.
    public func pullRemote(_ remote: OCIReference, as name: String? = nil, credentials: OCICredentials = .fromEnvironment(),
                           progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> RemotePullResult {
        try RemotePull.run(remote, as: name, store: store, credentials: credentials,
                           admit: { session, new in try Self.admit(new.kind, model: new.model, session: session) }, progress: progress)
    }
}

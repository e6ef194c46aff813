import Crypto
import Foundation

/// What `push --to` did; `--json` prints exactly these fields. Blob counts are chunk blobs
/// (layers); the config blob is counted apart.
public struct RemotePushResult: Codable, Sendable {
    public var model: String
    public var version: Int64
    /// `oci://HOST/REPO:TAG`.
    public var remote: String
    public var tag: String
    /// The manifest's digest: `REMOTE@DIGEST` names this exact version for ever.
    public var digest: String
    /// Distinct chunks the version is made of (its layers).
    public var chunks: Int
    public var blobsSent: Int
    public var bytesSent: Int64
    /// Chunks the remote had already (from this or any earlier push to the repository).
    public var blobsSkipped: Int
    public var bytesSkipped: Int64
    public var configSent: Bool
    public var configBytes: Int
    public var seconds: Double
}

/// Per-index results filled from several threads.
final class ConcurrentSlots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    subscript(index: Int) -> T? {
        get { lock.withLock { slots[index] } }
        set { lock.withLock { slots[index] = newValue } }
    }
}

/// Reports transferred bytes from several threads to one progress callback.
final class TransferProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var done: Int64 = 0
    let total: Int64
    let callback: (@Sendable (Int64, Int64) -> Void)?

    init(total: Int64, callback: (@Sendable (Int64, Int64) -> Void)?) {
        self.total = total
        self.callback = callback
    }

    func add(_ bytes: Int64) {
        let now = lock.withLock { done += bytes; return done }
        callback?(now, total)
    }
}

extension ModelRegistry {
    /// Uploads one version to an OCI registry: each distinct chunk as a blob whose digest is
    /// its address (a HEAD first, so blobs the remote holds are not sent again), then the
    /// config blob with the version's rows, then the manifest under `remote.tag` (default
    /// `MODEL-N`). Re-running an interrupted push sends only what is missing.
    public func pushRemote(_ reference: VersionReference, to remote: OCIReference, credentials: OCICredentials = .fromEnvironment(),
                           progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> RemotePushResult {
        guard remote.digest == nil else {
            throw RemoteError.invalidReference(remote.description, reason: "a push names a tag, not a digest")
        }
        let started = Date()
        var chunkTable: [String: ChunkReference] = [:]
        let config = try read { db in
            try VersionConfig.load(version: try Self.resolve(reference, db: db), db: db, chunks: &chunkTable)
        }
        let layers = config.distinctChunks.map { chunkTable[$0.hash]! }
        let tag = remote.tag ?? OCIReference.defaultTag(model: config.model, version: config.version)
        let repository = try OCIRepository(remote, credentials: credentials)

        let present = ConcurrentSlots<Bool>(count: layers.count)
        try OCIClient.concurrently(Array(layers.indices), width: OCIClient.width * 2) { index in
            present[index] = try repository.hasBlob(layers[index].hash.ociDigest)
        }
        let missing = layers.indices.filter { present[$0] != true }
        let transfer = TransferProgress(total: missing.reduce(Int64(0)) { $0 + Int64(layers[$1].rawSize) }, callback: progress)
        // A batch of chunks read in one transaction, then sent side by side; memory stays at a batch.
        var start = 0
        while start < missing.count {
            let batch = Array(missing[start..<min(start + OCIClient.width * 2, missing.count)])
            let payloads = try read { db in try batch.map { Data(try ContentReader(db: db).chunkBytes(layers[$0].id)) } }
            try OCIClient.concurrently(Array(zip(batch, payloads))) { index, payload in
                try repository.upload(payload, digest: layers[index].hash.ociDigest)
                transfer.add(Int64(payload.count))
            }
            start += batch.count
        }

        let configBytes = try config.encoded()
        let configDigest = "sha256:" + OCIRepository.hex(SHA256.hash(data: configBytes))
        let configSent = !(try repository.hasBlob(configDigest))
        if configSent { try repository.upload(configBytes, digest: configDigest) }
        let manifest = OCIManifest(
            schemaVersion: 2, mediaType: OCIMediaType.manifest, artifactType: OCIMediaType.artifact,
            config: OCIDescriptor(mediaType: OCIMediaType.config, digest: configDigest, size: Int64(configBytes.count)),
            layers: layers.map { OCIDescriptor(mediaType: OCIMediaType.chunk, digest: $0.hash.ociDigest, size: Int64($0.rawSize)) },
            annotations: config.annotations)
        let digest = try repository.putManifest(try manifest.encoded(), tag: tag)

        let sentBytes = missing.reduce(Int64(0)) { $0 + Int64(layers[$1].rawSize) }
        let allBytes = layers.reduce(Int64(0)) { $0 + Int64($1.rawSize) }
        return RemotePushResult(
            model: config.model, version: config.version, remote: remote.with(tag: tag).description, tag: tag, digest: digest,
            chunks: layers.count, blobsSent: missing.count, bytesSent: sentBytes, blobsSkipped: layers.count - missing.count,
            bytesSkipped: allBytes - sentBytes, configSent: configSent, configBytes: configBytes.count,
            seconds: Date().timeIntervalSince(started))
    }
}

import Crypto
import Foundation
import RegistryFormat
import RegistryStore

/// Sends a stored version to an OCI repository.
package enum RemotePush {
    /// Uploads one version to an OCI registry: each distinct chunk as a blob whose digest is
    /// its address (a HEAD first, so blobs the remote holds are not sent again), then the
    /// config blob with the version's rows, then the manifest under `remote.tag` (default
    /// `MODEL-N`). Re-running an interrupted push sends only what is missing.
    package static func run(_ reference: VersionReference, store: RegistryDatabase, to remote: OCIReference, credentials: OCICredentials,
                            progress: (@Sendable (Int64, Int64) -> Void)?) throws -> RemotePushResult {
        guard remote.digest == nil else {
            throw RemoteError.invalidReference(remote.description, reason: "a push names a tag, not a digest")
        }
        let started = Date()
        var chunkTable: [String: ChunkReference] = [:]
        let config = try store.read { session in
            try VersionConfig.load(version: try session.resolve(reference), session: session, chunks: &chunkTable)
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
            let payloads = try store.read { session in try batch.map { Data(try ContentReader(session).chunkBytes(layers[$0].id)) } }
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

import Crypto
import Foundation
import RegistryFormat
import RegistryStore

/// Sends a stored version to an OCI repository.
package enum RemotePush {
    /// Uploads one version: each pack the remote lacks (a HEAD first, so packs any earlier
    /// push left there are not sent again), streamed from the store; then the config; then
    /// the manifest under every tag: `remote.tag` (default `MODEL-N`), each alias of the
    /// version, `latest` when it is its model's latest, and `extraTags`. Re-running an
    /// interrupted push sends only the packs that are missing.
    package static func run(_ reference: VersionReference, store: RegistryDatabase, to remote: OCIReference, extraTags: [String],
                            credentials: OCICredentials, limits: HTTPLimits,
                            progress: (@Sendable (Int64, Int64) -> Void)?) throws -> RemotePushResult {
        guard remote.digest == nil else {
            throw RemoteError.invalidReference(remote.description, reason: "a push names a tag, not a digest")
        }
        for tag in extraTags where !OCIReference.isValidTag(tag) {
            throw RemoteError.invalidReference(tag, reason: "a tag is 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'")
        }
        let started = Date()
        let (image, version, tags) = try store.write { session in
            let version = try session.resolve(reference)
            let image = try VersionImage.build(version, session: session, remember: true)
            if version.digest != image.digest { try session.setDigest(image.digest, versionID: version.id!) }
            return (image, version, try tagsFor(version, remote: remote, extra: extraTags, session: session))
        }
        let repository = try OCIRepository(remote, credentials: credentials, limits: limits)
        let client = repository.client

        let present = ConcurrentSlots<Bool>(count: image.packs.count)
        try client.concurrently(Array(image.packs.indices), width: OCIClient.width * 2) { index in
            present[index] = try repository.hasBlob(image.packs[index].digest)
        }
        let missing = image.packs.indices.filter { present[$0] != true }
        let sentBytes = missing.reduce(Int64(0)) { $0 + image.packs[$1].size }
        let transfer = TransferProgress(total: sentBytes, callback: progress)
        try client.concurrently(missing) { index in
            let pack = image.packs[index]
            let ids = pack.range.map { image.chunks[$0].id }
            try repository.upload(.stream(length: pack.size) {
                PackStream(header: pack.header, chunkIDs: ids, store: store, transfer: transfer).produce
            }, digest: pack.digest)
        }

        let configSent = !(try repository.hasBlob(image.configDigest))
        if configSent { try repository.upload(.bytes(image.configBytes), digest: image.configDigest) }
        for tag in tags { try repository.putManifest(image.manifest, tag: tag) }

        let allBytes = image.packs.reduce(Int64(0)) { $0 + $1.size }
        return RemotePushResult(
            model: try store.read { try $0.modelName(id: version.modelID) } ?? image.config.model, version: version.number,
            remote: remote.with(tag: tags[0]).description, tag: tags[0], tags: tags, digest: image.digest, chunks: image.chunks.count,
            packs: image.packs.count, blobsSent: missing.count, bytesSent: sentBytes, blobsSkipped: image.packs.count - missing.count,
            bytesSkipped: allBytes - sentBytes, configSent: configSent, configBytes: image.configBytes.count,
            manifestBytes: image.manifest.count, seconds: Date().timeIntervalSince(started))
    }

    /// The tags a push sets: the one asked for (or `MODEL-N`), the version's aliases, `latest`
    /// when it is the latest of its model, and the extra ones; each once, in that order.
    static func tagsFor(_ version: VersionRecord, remote: OCIReference, extra: [String], session: StoreSession) throws -> [String] {
        let model = try session.modelName(id: version.modelID) ?? "?"
        var tags = [remote.tag ?? OCIReference.defaultTag(model: model, version: version.number)]
        tags += try session.aliases(versionID: version.id!).filter(OCIReference.isValidTag)
        if try session.latestVersion(modelID: version.modelID)?.id == version.id { tags.append("latest") }
        tags += extra
        var seen: Set<String> = []
        return tags.filter { seen.insert($0).inserted }
    }
}

/// A pack's bytes produced on demand for an upload: the header, then each chunk read from the
/// store (its rows in a short read, decoded on the uploading thread), one chunk in memory.
private final class PackStream {
    private let header: [UInt8]
    private let chunkIDs: [Int64]
    private let store: RegistryDatabase
    private let transfer: TransferProgress
    private var current: [UInt8]
    private var offset = 0
    private var next = 0

    init(header: [UInt8], chunkIDs: [Int64], store: RegistryDatabase, transfer: TransferProgress) {
        self.header = header
        self.chunkIDs = chunkIDs
        self.store = store
        self.transfer = transfer
        current = header
    }

    func produce(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var written = 0
        while written < buffer.count {
            if offset == current.count {
                guard next < chunkIDs.count else { break }
                let id = chunkIDs[next]
                let rows = try store.read { session in try ContentReader(session).storedRows(id) }
                current = try rows.decode()
                offset = 0
                next += 1
                transfer.add(Int64(current.count))
            }
            let count = min(buffer.count - written, current.count - offset)
            current.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(rebasing: buffer[written..<(written + count)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + count)]))
            }
            offset += count
            written += count
        }
        return written
    }
}

import Crypto
import Foundation
import RegistryFormat
import RegistryStore

/// A stored version as it travels to an OCI registry: its config, its packs (`PackPlan`) and
/// the manifest naming them, built from its rows alone, so that the same rows always give the
/// same manifest and its digest is the version's digest, here and on every remote.
struct VersionImage {
    struct Pack {
        /// Chunk numbers (indices into `chunks`).
        var range: Range<Int>
        var header: [UInt8]
        var headerDigest: [UInt8]
        var digest: String
        var size: Int64
    }

    var config: VersionConfig
    var configBytes: Data
    var configDigest: String
    /// The distinct chunks, numbered in first-use order.
    var chunks: [ChunkReference]
    var packs: [Pack]
    var manifest: Data
    var digest: String

    /// Builds the image of `version`. A pack's blob digest comes from the `packs` table, or is
    /// computed from its chunks' bytes (and recorded there when `remember`, in a write session).
    static func build(_ version: VersionRecord, session: StoreSession, remember: Bool) throws -> VersionImage {
        var (config, chunks) = try VersionConfig.load(version: version, session: session)
        let planned = chunks.map { PackPlan.Chunk(hash: $0.hash, size: $0.rawSize) }
        var packs: [Pack] = []
        var unknown: [Int] = []
        for range in PackPlan.boundaries(planned) {
            let header = PackPlan.header(planned[range])
            let headerDigest = PackPlan.sha256(header)
            let size = Int64(header.count) + planned[range].reduce(Int64(0)) { $0 + Int64($1.size) }
            if let known = try session.pack(headerDigest: headerDigest), known.size == size {
                packs.append(Pack(range: range, header: header, headerDigest: headerDigest, digest: "sha256:" + hex(known.digest), size: size))
            } else {
                packs.append(Pack(range: range, header: header, headerDigest: headerDigest, digest: "", size: size))
                unknown.append(packs.count - 1)
            }
        }
        try hashPacks(unknown, of: &packs, chunks: chunks, session: session, remember: remember)
        config.packs = packs.map { VersionConfig.PackRow(chunks: $0.range.count, index: hex($0.headerDigest)) }
        let configBytes = try config.encoded()
        let configDigest = "sha256:" + hex(SHA256.hash(data: configBytes))
        let manifest = OCIManifest(
            schemaVersion: 2, mediaType: OCIMediaType.manifest, artifactType: OCIMediaType.artifact,
            config: OCIDescriptor(mediaType: OCIMediaType.config, digest: configDigest, size: Int64(configBytes.count)),
            layers: packs.map { OCIDescriptor(mediaType: OCIMediaType.pack, digest: $0.digest, size: $0.size) },
            annotations: OCIAnnotation.of(config))
        let manifestBytes = try manifest.encoded()
        return VersionImage(config: config, configBytes: configBytes, configDigest: configDigest, chunks: chunks, packs: packs,
                            manifest: manifestBytes, digest: "sha256:" + hex(SHA256.hash(data: manifestBytes)))
    }

    /// Hashes the blobs of the packs at `indices` from their chunks' bytes (decoded on worker
    /// threads, hashed here in order).
    private static func hashPacks(_ indices: [Int], of packs: inout [Pack], chunks: [ChunkReference], session: StoreSession,
                                  remember: Bool) throws {
        guard !indices.isEmpty else { return }
        let ids = indices.flatMap { packs[$0].range.map { chunks[$0].id } }
        var cursor = 0
        var remaining = 0
        var hasher = SHA256()
        func open() {
            hasher = SHA256()
            hasher.update(data: packs[indices[cursor]].header)
            remaining = packs[indices[cursor]].range.count
        }
        open()
        try ContentReader(session).streamChunks(ids) { _, bytes in
            hasher.update(data: bytes)
            remaining -= 1
            guard remaining == 0 else { return }
            let index = indices[cursor]
            let digest = Array(hasher.finalize())
            packs[index].digest = "sha256:" + hex(digest)
            if remember {
                try session.insertPack(headerDigest: packs[index].headerDigest, digest: digest, size: packs[index].size,
                                       header: packs[index].header)
            }
            cursor += 1
            if cursor < indices.count { open() }
        }
    }

    /// The digest of a version: the one recorded, else computed (and recorded when `remember`).
    static func digest(of version: VersionRecord, session: StoreSession, remember: Bool) throws -> String {
        if let digest = version.digest { return digest }
        let digest = try build(version, session: session, remember: remember).digest
        if remember { try session.setDigest(digest, versionID: version.id!) }
        return digest
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

/// A version's digest, for the layers above.
package enum VersionDigest {
    /// Computes and records the digest of a version just made (its packs recorded too, so
    /// that the next version and a push reuse them); returns it.
    package static func record(versionID: Int64, session: StoreSession) throws -> String {
        guard let version = try session.versions(ids: [versionID]).first else {
            throw StoreError.damaged(what: "version \(versionID)", detail: "its row is missing")
        }
        let digest = try VersionImage.build(version, session: session, remember: true).digest
        try session.setDigest(digest, versionID: versionID)
        return digest
    }

    /// The digest of a version: the one recorded, else computed (not recorded: a read).
    package static func of(_ version: VersionRecord, session: StoreSession) throws -> String {
        try VersionImage.digest(of: version, session: session, remember: false)
    }
}

import RegistryFormat
import RegistryStore
import Foundation

/// One tag of a remote repository, with what its manifest's annotations say about the
/// version (nil fields for manifests that are not model versions).
public struct RemoteTag: Codable, Sendable, Equatable {
    public var tag: String
    public var digest: String
    public var model: String?
    public var version: Int64?
    public var kind: String?
    public var tagSets: [String]?
    public var globalStep: Int64?
    public var labels: [String: String]?
    /// `org.opencontainers.image.created` (RFC 3339).
    public var created: String?
    /// Bytes of the version's layers (its packs).
    public var bytes: Int64?
    /// Provenance from the standard annotations: `user@host`, the source folder, the git commit.
    public var authors: String?
    public var source: String?
    public var revision: String?
}

/// Lists remote repositories.
public enum RemoteListing {
    /// Every tag of the repository in `remote` (its tag and digest ignored), sorted, each with
    /// its manifest's digest and annotations (manifests fetched side by side). An unknown or
    /// emptied repository has no tags.
    package static func tags(of remote: OCIReference, credentials: OCICredentials, limits: HTTPLimits) throws -> [RemoteTag] {
        let base = OCIReference(plainHTTP: remote.plainHTTP, host: remote.host, repository: remote.repository)
        let repository = try OCIRepository(base, credentials: credentials, limits: limits)
        let names = try repository.tags().sorted()
        let slots = ConcurrentSlots<RemoteTag>(count: names.count)
        try repository.client.concurrently(Array(names.indices), width: OCIClient.width * 2) { index in
            let (bytes, digest) = try repository.getManifest(names[index])
            var entry = RemoteTag(tag: names[index], digest: digest)
            if let manifest = try? JSONDecoder().decode(OCIManifest.self, from: bytes), (try? manifest.checkIsVersion(what: "")) != nil {
                let notes = manifest.annotations ?? [:]
                entry.model = notes[OCIAnnotation.model]
                entry.version = notes[OCIAnnotation.version].flatMap { Int64($0) }
                entry.kind = notes[OCIAnnotation.kind]
                entry.tagSets = notes[OCIAnnotation.tagSets].map { $0.isEmpty ? [] : $0.split(separator: ";").map(String.init) }
                entry.globalStep = notes[OCIAnnotation.globalStep].flatMap { Int64($0) }
                entry.created = notes[OCIAnnotation.created]
                let labels = notes.filter { $0.key.hasPrefix(OCIAnnotation.labelPrefix) }
                entry.labels = Dictionary(uniqueKeysWithValues: labels.map { (String($0.key.dropFirst(OCIAnnotation.labelPrefix.count)), $0.value) })
                entry.bytes = manifest.layers.reduce(Int64(0)) { $0 + $1.size }
                entry.authors = notes[OCIAnnotation.authors]
                entry.source = notes[OCIAnnotation.source]
                entry.revision = notes[OCIAnnotation.revision]
            }
            slots[index] = entry
        }
        return names.indices.map { slots[$0]! }
    }

    /// Every repository of the registry at `remote`'s host (`/v2/_catalog`, following `Link`
    /// pages of `pageSize`), sorted.
    package static func repositories(of remote: OCIReference, pageSize: Int = 100, credentials: OCICredentials,
                                      limits: HTTPLimits) throws -> [String] {
        let base = OCIReference(plainHTTP: remote.plainHTTP, host: remote.host, repository: "")
        return try OCIRepository(base, credentials: credentials, limits: limits).catalog(pageSize: pageSize).sorted()
    }

    /// Points `tag` of `remote`'s repository at the manifest of `digest` (which must be there),
    /// sending nothing else: the manifest's own bytes are stored again under the tag.
    package static func moveTag(_ tag: String, of remote: OCIReference, to digest: String, credentials: OCICredentials,
                                limits: HTTPLimits) throws {
        let repository = try OCIRepository(remote, credentials: credentials, limits: limits)
        let (bytes, _) = try repository.getManifest(digest)
        try repository.putManifest(bytes, tag: tag)
    }
}

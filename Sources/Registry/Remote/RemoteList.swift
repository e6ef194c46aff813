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
    /// Total bytes of the version's distinct chunks.
    public var bytes: Int64?
}

/// Lists remote repositories.
public enum RemoteListing {
    /// Every tag of the repository in `remote` (its tag and digest ignored), sorted, each with
    /// its manifest's digest and annotations. An unknown or emptied repository has no tags.
    public static func tags(of remote: OCIReference, credentials: OCICredentials = .fromEnvironment()) throws -> [RemoteTag] {
        let base = OCIReference(plainHTTP: remote.plainHTTP, host: remote.host, repository: remote.repository)
        let repository = try OCIRepository(base, credentials: credentials)
        let names = try repository.tags().sorted()
        let slots = ConcurrentSlots<RemoteTag>(count: names.count)
        try OCIClient.concurrently(Array(names.indices)) { index in
            let (bytes, digest) = try repository.getManifest(tag: names[index])
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
            }
            slots[index] = entry
        }
        return names.indices.map { slots[$0]! }
    }
}

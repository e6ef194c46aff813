import RegistryFormat
import RegistryStore
import Foundation

/// The media types a version travels under. The chunks are plain bytes; the config is JSON
/// (`VersionConfig`); the manifest is a standard OCI image manifest whose `artifactType`
/// says what it holds, so registries store it and tools that do not know it leave it alone.
public enum OCIMediaType {
    public static let manifest = "application/vnd.oci.image.manifest.v1+json"
    /// The manifest's `artifactType`: one model version.
    public static let artifact = "application/vnd.tfregistry.version.v1"
    /// The config blob: the version's rows (`VersionConfig`).
    public static let config = "application/vnd.tfregistry.version.config.v1+json"
    /// A layer of formats 1 and 2: one chunk's raw bytes (at most 1 MiB), so its sha256 digest
    /// is the chunk's address.
    public static let chunk = "application/vnd.tfregistry.chunk.v1"
    /// A layer of format 3: a pack of chunks (`PackPlan`), a header listing them then their bytes.
    public static let pack = "application/vnd.tfregistry.pack.v1"
}

/// Manifest annotation keys: what `remote ls` shows without fetching configs, and the
/// version's provenance under the standard keys other OCI tools show.
enum OCIAnnotation {
    static let created = "org.opencontainers.image.created"
    /// `user@host` of whoever made the version.
    static let authors = "org.opencontainers.image.authors"
    /// The absolute folder it was pushed from.
    static let source = "org.opencontainers.image.source"
    /// The git commit of the repository the source folder is in.
    static let revision = "org.opencontainers.image.revision"
    /// The packaged model's version, `NAME:N` where it was made.
    static let imageVersion = "org.opencontainers.image.version"
    static let dirty = "io.tfregistry.revision-dirty"
    static let tool = "io.tfregistry.tool-version"
    static let parent = "io.tfregistry.parent"
    static let model = "io.tfregistry.model"
    static let version = "io.tfregistry.version"
    static let kind = "io.tfregistry.kind"
    /// Canonical tag sets joined with ';' (each tag set keeps its commas: `serve;serve,gpu`).
    static let tagSets = "io.tfregistry.tag-sets"
    static let globalStep = "io.tfregistry.global-step"
    /// Followed by the label's key.
    static let labelPrefix = "io.tfregistry.label."

    /// The annotations of a version's manifest.
    static func of(_ config: VersionConfig) -> [String: String] {
        var result: [String: String] = [
            created: ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: config.createdAt)),
            model: config.model,
            version: String(config.version),
            imageVersion: "\(config.model):\(config.version)",
            kind: config.kind,
            tagSets: config.metaGraphs.sorted { $0.position < $1.position }.map(\.tagSet).joined(separator: ";"),
        ]
        if let globalStep = config.globalStep { result[self.globalStep] = String(globalStep) }
        for (key, value) in config.labels { result[labelPrefix + key] = value }
        if let source = config.source { result[self.source] = source }
        if let provenance = config.provenance {
            if let user = provenance.user { result[authors] = user + (provenance.host.map { "@" + $0 } ?? "") }
            if let commit = provenance.revision { result[revision] = commit }
            if provenance.dirty == true { result[dirty] = "true" }
            if let tool = provenance.tool { result[self.tool] = tool }
            if let parent = provenance.parentDigest { result[self.parent] = parent }
        }
        return result
    }
}

/// A content descriptor: what a manifest says about a blob.
struct OCIDescriptor: Codable, Equatable, Sendable {
    var mediaType: String
    var digest: String
    var size: Int64
    var annotations: [String: String]?
}

/// An OCI image manifest (schemaVersion 2).
struct OCIManifest: Codable, Sendable {
    var schemaVersion: Int
    var mediaType: String?
    var artifactType: String?
    var config: OCIDescriptor
    var layers: [OCIDescriptor]
    var annotations: [String: String]?

    /// Deterministic bytes (sorted keys), so the same version always has the same digest.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Refuses manifests that are not ours, naming what they are instead.
    func checkIsVersion(what: String) throws {
        guard schemaVersion == 2 else { throw RemoteError.notAVersion(what: what, detail: "schemaVersion \(schemaVersion)") }
        guard artifactType == OCIMediaType.artifact || config.mediaType == OCIMediaType.config else {
            throw RemoteError.notAVersion(what: what, detail: "its artifact type is \(artifactType ?? config.mediaType)")
        }
        guard config.mediaType == OCIMediaType.config else {
            throw RemoteError.notAVersion(what: what, detail: "its config is \(config.mediaType)")
        }
        let layerType = layers.first?.mediaType ?? OCIMediaType.pack
        guard layerType == OCIMediaType.chunk || layerType == OCIMediaType.pack else {
            throw RemoteError.notAVersion(what: what, detail: "it has a layer of type \(layerType)")
        }
        for layer in layers where layer.mediaType != layerType {
            throw RemoteError.notAVersion(what: what, detail: "it mixes layers of types \(layerType) and \(layer.mediaType)")
        }
    }
}

/// `GET /v2/REPO/tags/list`; the distribution server sends `"tags": null` for a repository
/// whose tags were all deleted.
struct OCITagList: Decodable {
    var name: String?
    var tags: [String]?
}

/// `GET /v2/_catalog`.
struct OCICatalog: Decodable {
    var repositories: [String]?
}

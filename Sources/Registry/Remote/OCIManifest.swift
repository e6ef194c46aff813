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
    /// A layer: one chunk's raw bytes (at most 1 MiB), so its sha256 digest is the chunk's address.
    public static let chunk = "application/vnd.tfregistry.chunk.v1"
}

/// Manifest annotation keys (besides `org.opencontainers.image.created`).
enum OCIAnnotation {
    static let created = "org.opencontainers.image.created"
    static let model = "io.tfregistry.model"
    static let version = "io.tfregistry.version"
    static let kind = "io.tfregistry.kind"
    /// Canonical tag sets joined with ';' (each tag set keeps its commas: `serve;serve,gpu`).
    static let tagSets = "io.tfregistry.tag-sets"
    static let globalStep = "io.tfregistry.global-step"
    /// Followed by the label's key.
    static let labelPrefix = "io.tfregistry.label."
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
        for layer in layers where layer.mediaType != OCIMediaType.chunk {
            throw RemoteError.notAVersion(what: what, detail: "it has a layer of type \(layer.mediaType)")
        }
    }
}

/// `GET /v2/REPO/tags/list`; the distribution server sends `"tags": null` for a repository
/// whose tags were all deleted.
struct OCITagList: Decodable {
    var name: String?
    var tags: [String]?
}

import RegistryFormat
import RegistryStore
import Crypto
import Foundation

/// The distribution API calls a push, a pull and `remote ls` make on one repository. Every
/// byte that arrives is checked: a blob's sha256 and size against its descriptor, a
/// manifest's sha256 against the digest it was asked by.
struct OCIRepository: Sendable {
    let client: OCIClient
    var remote: OCIReference { client.remote }

    init(_ remote: OCIReference, credentials: OCICredentials) throws {
        client = try OCIClient(remote: remote, credentials: credentials)
    }

    /// Largest manifest accepted (a 10 GB model has about 10,000 layers, ~1.5 MB of JSON).
    static let maxManifestBytes = 64 << 20
    /// Largest config accepted.
    static let maxConfigBytes: Int64 = 1 << 30

    private func failure(_ what: String, _ response: HTTPResponse) -> RemoteError {
        let error = response.ociError
        return .refused(what: what, status: response.status, code: error.code, message: error.message)
    }

    /// Whether the repository holds the blob (HEAD). A server error counts as "no": a blob
    /// the server was writing when it died answers 500 on docker-registry, and uploading it
    /// again replaces it (or fails with the server's own error).
    func hasBlob(_ digest: String) throws -> Bool {
        let response = try client.send("HEAD", client.url("blobs/" + digest), what: "check blob \(digest)")
        switch response.status {
        case 200: return true
        case 404, 500...599: return false
        default: throw failure("check blob \(digest)", response)
        }
    }

    /// Uploads a blob in one piece: POST an upload session, then PUT its Location with
    /// `digest=`. The Location may be relative and usually carries a query string already
    /// (the distribution server's `_state`), so the digest is appended with '&' then.
    func upload(_ bytes: Data, digest: String) throws {
        let what = "upload blob \(digest)"
        let start = try client.send("POST", client.url("blobs/uploads/"), what: what)
        guard start.status == 202 else { throw failure(what, start) }
        guard let location = start.header("location"), let base = URL(string: location, relativeTo: client.url("")) else {
            throw RemoteError.protocolViolation(what: "an upload request", detail: "no Location header")
        }
        let absolute = base.absoluteString
        let separator = absolute.contains("?") ? "&" : "?"
        guard let target = URL(string: absolute + separator + "digest=" + digest) else {
            throw RemoteError.protocolViolation(what: "an upload request", detail: "an unusable Location")
        }
        let done = try client.send("PUT", target, headers: ["Content-Type": "application/octet-stream"], body: bytes, what: what)
        guard done.status == 201 else { throw failure(what, done) }
    }

    /// Downloads a blob and checks it against its descriptor: size first, then sha256.
    func fetch(_ descriptor: OCIDescriptor, what: String) throws -> Data {
        let response = try client.send("GET", client.url("blobs/" + descriptor.digest), what: "download \(what)")
        if response.status == 404 { throw RemoteError.notFound(what: "\(what) (\(descriptor.digest))", repository: remote.repositoryReference) }
        guard response.status == 200 else { throw failure("download \(what) (\(descriptor.digest))", response) }
        guard Int64(response.body.count) == descriptor.size else {
            throw RemoteError.damaged(what: "\(what) \(descriptor.digest)", detail: "\(response.body.count) bytes arrived, the manifest says \(descriptor.size)")
        }
        let actual = "sha256:" + Self.hex(SHA256.hash(data: response.body))
        guard actual == descriptor.digest else {
            throw RemoteError.damaged(what: "\(what) \(descriptor.digest)", detail: "its bytes hash to \(actual)")
        }
        return response.body
    }

    /// Stores a manifest under `tag`; returns its digest.
    func putManifest(_ manifest: Data, tag: String) throws -> String {
        let what = "store the manifest as tag '\(tag)'"
        let response = try client.send("PUT", client.url("manifests/" + tag), headers: ["Content-Type": OCIMediaType.manifest],
                                       body: manifest, what: what)
        guard response.status == 201 else { throw failure(what, response) }
        return "sha256:" + Self.hex(SHA256.hash(data: manifest))
    }

    /// Fetches the manifest named by `tag`, else the reference's digest, else its tag; returns
    /// its bytes and digest (checked against the one asked for, and the server's
    /// Docker-Content-Digest).
    func getManifest(tag: String? = nil) throws -> (bytes: Data, digest: String) {
        let expected = tag == nil ? remote.digest : nil
        guard let name = tag ?? remote.digest ?? remote.tag else {
            throw RemoteError.invalidReference(remote.description, reason: "name the version with :TAG or @sha256:DIGEST")
        }
        let what = expected.map { "manifest \($0)" } ?? "tag '\(name)'"
        let response = try client.send("GET", client.url("manifests/" + name), headers: ["Accept": OCIMediaType.manifest], what: "get \(what)")
        if response.status == 404 { throw RemoteError.notFound(what: "\(what) of \(remote.repositoryReference)", repository: remote.repositoryReference) }
        guard response.status == 200 else { throw failure("get \(what)", response) }
        guard response.body.count <= Self.maxManifestBytes else {
            throw RemoteError.notAVersion(what: what, detail: "its manifest is \(response.body.count) bytes")
        }
        let digest = "sha256:" + Self.hex(SHA256.hash(data: response.body))
        if let expected, expected != digest {
            throw RemoteError.damaged(what: what, detail: "its bytes hash to \(digest)")
        }
        if let announced = response.header("docker-content-digest"), announced.hasPrefix("sha256:"), announced != digest {
            throw RemoteError.damaged(what: what, detail: "its bytes hash to \(digest), the server says \(announced)")
        }
        return (response.body, digest)
    }

    /// Every tag of the repository, following `Link: <…>; rel="next"` pages. A repository the
    /// server does not know (never pushed, or all tags gone) has none.
    func tags() throws -> [String] {
        var url = client.url("tags/list")
        var tags: [String] = []
        for _ in 0..<10_000 {
            let response = try client.send("GET", url, headers: ["Accept": "application/json"], what: "list the tags")
            if response.status == 404, response.ociError.code == "NAME_UNKNOWN" { return [] }
            guard response.status == 200 else { throw failure("list the tags of \(remote.repositoryReference)", response) }
            guard let list = try? JSONDecoder().decode(OCITagList.self, from: response.body) else {
                throw RemoteError.protocolViolation(what: "the tag list", detail: "it is not {\"name\":…,\"tags\":[…]}")
            }
            tags += list.tags ?? []
            guard let link = response.header("link"), let next = Self.nextPage(link, base: url) else { break }
            url = next
        }
        return tags
    }

    /// The `rel="next"` target of a Link header.
    static func nextPage(_ header: String, base: URL) -> URL? {
        for part in header.split(separator: ",") where part.contains("rel=\"next\"") || part.contains("rel=next") {
            guard let open = part.firstIndex(of: "<"), let close = part.firstIndex(of: ">"), open < close else { continue }
            return URL(string: String(part[part.index(after: open)..<close]), relativeTo: base)?.absoluteURL
        }
        return nil
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        digest.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

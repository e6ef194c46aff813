import RegistryFormat
import RegistryStore
import Crypto
import Foundation

/// The distribution API calls a push, a pull and `remote ls` make on one repository. Every
/// answer is bounded before it is read (a manifest by 4 MiB, a blob by its descriptor's size,
/// lists by 1 MiB a page) and every byte that arrives is checked: a blob's size and sha256
/// against its descriptor, a manifest's sha256 against the digest it was asked by.
struct OCIRepository: Sendable {
    let client: OCIClient
    var remote: OCIReference { client.remote }

    init(_ remote: OCIReference, credentials: OCICredentials, limits: HTTPLimits) throws {
        client = try OCIClient(remote: remote, credentials: credentials, limits: limits)
    }

    /// Largest manifest accepted: CNCF distribution's own limit, which containers/image
    /// (skopeo, podman) shares. A 1 TiB version's manifest is ~0.6 MB (`PackPlan`).
    static let maxManifestBytes = 4 << 20

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
    /// (the distribution server's `_state`), so the digest is appended with '&' then. A
    /// Location on another origin gets the bytes but not the credentials.
    func upload(_ body: HTTPRequestBody, digest: String) throws {
        let what = "upload blob \(digest)"
        let start = try client.send("POST", client.url("blobs/uploads/"), what: what)
        guard start.status == 202 else { throw failure(what, start) }
        guard let location = start.header("location"), let base = URL(string: location, relativeTo: client.url("")),
              Origin(base.absoluteURL) != nil else {
            throw RemoteError.protocolViolation(what: "an upload request", detail: "no usable Location header")
        }
        let absolute = base.absoluteString
        let separator = absolute.contains("?") ? "&" : "?"
        guard let target = URL(string: absolute + separator + "digest=" + digest) else {
            throw RemoteError.protocolViolation(what: "an upload request", detail: "an unusable Location")
        }
        let done = try client.send("PUT", target, headers: [("Content-Type", "application/octet-stream")], body: body, what: what)
        guard done.status == 201 else { throw failure(what, done) }
    }

    /// Downloads a small blob (a config) whole and checks it against its descriptor; refused
    /// at once when the descriptor or the server announce more than `limit` bytes.
    func fetch(_ descriptor: OCIDescriptor, what: String, limit: Int) throws -> Data {
        guard descriptor.size >= 0, descriptor.size <= Int64(limit) else {
            throw RemoteError.tooLarge(what: "\(what) \(descriptor.digest)", detail: "its manifest says \(descriptor.size) bytes, at most \(limit) are accepted")
        }
        let response = try client.send("GET", client.url("blobs/" + descriptor.digest), what: "\(what) (\(descriptor.digest))",
                                       limit: Int(descriptor.size))
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

    /// Streams the bytes `range` of a blob to `sink` (asking with `Range:`; a server that
    /// answers with the whole blob has the bytes before the range skipped), refusing any byte
    /// past the range.
    func stream(_ descriptor: OCIDescriptor, range: Range<Int64>, what: String, into sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        let whole = range == 0..<descriptor.size
        let headers = whole ? [] : [("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")]
        var window: RangeSink?
        let response = try client.exchange("GET", client.url("blobs/" + descriptor.digest), headers: headers, what: "download \(what)",
                                           expected: range.upperBound - range.lowerBound) {
            let fresh = RangeSink(range: range, blobSize: descriptor.size, what: "\(what) \(descriptor.digest)", sink: sink)
            window = fresh
            return fresh
        }
        if response.status == 404 { throw RemoteError.notFound(what: "\(what) (\(descriptor.digest))", repository: remote.repositoryReference) }
        guard response.isSuccess else { throw failure("download \(what) (\(descriptor.digest))", response) }
        try window?.finish()
    }

    /// Stores a manifest under `tag` (or a digest); returns its digest.
    @discardableResult
    func putManifest(_ manifest: Data, tag: String) throws -> String {
        let what = "store the manifest as tag '\(tag)'"
        let response = try client.send("PUT", client.url("manifests/" + tag), headers: [("Content-Type", OCIMediaType.manifest)],
                                       body: .bytes(manifest), what: what)
        guard response.status == 201 else { throw failure(what, response) }
        return "sha256:" + Self.hex(SHA256.hash(data: manifest))
    }

    /// Fetches the manifest `reference` names (a tag or a digest); returns its bytes and
    /// digest, checked against the digest asked for and the server's Docker-Content-Digest.
    func getManifest(_ reference: String) throws -> (bytes: Data, digest: String) {
        let expected = reference.hasPrefix("sha256:") ? reference : nil
        let what = expected.map { "manifest \($0)" } ?? "tag '\(reference)'"
        let response = try client.send("GET", client.url("manifests/" + reference), headers: [("Accept", OCIMediaType.manifest)],
                                       what: "the manifest of \(what) of \(remote.repositoryReference)", limit: Self.maxManifestBytes)
        if response.status == 404 { throw RemoteError.notFound(what: "\(what) of \(remote.repositoryReference)", repository: remote.repositoryReference) }
        guard response.status == 200 else { throw failure("get \(what)", response) }
        let digest = "sha256:" + Self.hex(SHA256.hash(data: response.body))
        if let expected, expected != digest {
            throw RemoteError.damaged(what: what, detail: "its bytes hash to \(digest)")
        }
        if let announced = response.header("docker-content-digest"), announced.hasPrefix("sha256:"), announced != digest {
            throw RemoteError.damaged(what: what, detail: "its bytes hash to \(digest), the server says \(announced)")
        }
        return (response.body, digest)
    }

    /// Whether a manifest is stored under this digest (HEAD).
    func hasManifest(_ digest: String) throws -> Bool {
        let response = try client.send("HEAD", client.url("manifests/" + digest), headers: [("Accept", OCIMediaType.manifest)],
                                       what: "check manifest \(digest)")
        switch response.status {
        case 200: return true
        case 404: return false
        default: throw failure("check manifest \(digest)", response)
        }
    }

    /// Every tag of the repository, following `Link: <…>; rel="next"` pages. A repository the
    /// server does not know (never pushed, or all tags gone) has none.
    func tags() throws -> [String] {
        try pages(client.url("tags/list"), what: "the tag list of \(remote.repositoryReference)") { data in
            guard let list = try? JSONDecoder().decode(OCITagList.self, from: data) else {
                throw RemoteError.protocolViolation(what: "the tag list", detail: "it is not {\"name\":…,\"tags\":[…]}")
            }
            return list.tags ?? []
        }
    }

    /// Every repository of the registry (`/v2/_catalog`), `pageSize` a page.
    func catalog(pageSize: Int = 100) throws -> [String] {
        try pages(client.rootURL("_catalog?n=\(pageSize)"), what: "the catalog of \(remote.host)") { data in
            guard let catalog = try? JSONDecoder().decode(OCICatalog.self, from: data) else {
                throw RemoteError.protocolViolation(what: "the catalog", detail: "it is not {\"repositories\":[…]}")
            }
            return catalog.repositories ?? []
        }
    }

    /// The items of a paginated list: each page's items, then the `rel="next"` page (on the
    /// registry's own origin only), at most 10,000 pages.
    private func pages(_ first: URL, what: String, items: (Data) throws -> [String]) throws -> [String] {
        var url = first
        var all: [String] = []
        for _ in 0..<10_000 {
            let response = try client.send("GET", url, headers: [("Accept", "application/json")], what: "list \(what)")
            if response.status == 404, response.ociError.code == "NAME_UNKNOWN" { return [] }
            guard response.status == 200 else { throw failure("list \(what)", response) }
            all += try items(response.body)
            guard let link = response.header("link"), let next = Self.nextPage(link, base: url) else { return all }
            guard Origin(next) == client.origin else {
                throw RemoteError.protocolViolation(what: what, detail: "its next page is on another origin (\(Origin(next)?.description ?? "?"))")
            }
            url = next
        }
        throw RemoteError.protocolViolation(what: what, detail: "more than 10,000 pages")
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

extension HTTPResponse {
    var isSuccess: Bool { (200...299).contains(status) }
}

/// Passes the bytes of `range` of a blob on: a 206 answer must start at the range, a 200
/// answer has its first bytes skipped; more bytes than the range, or a `Content-Length` past
/// it, end the transfer.
private final class RangeSink: HTTPResponseSink {
    let range: Range<Int64>
    let blobSize: Int64
    let what: String
    let sink: (UnsafeRawBufferPointer) throws -> Void
    private var skip: Int64 = 0
    private var passed: Int64 = 0

    init(range: Range<Int64>, blobSize: Int64, what: String, sink: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.range = range
        self.blobSize = blobSize
        self.what = what
        self.sink = sink
    }

    func head(_ head: HTTPResponseHead) throws {
        let announced = head.contentLength
        if head.status == 206 {
            guard let contentRange = head.header("content-range"), contentRange.hasPrefix("bytes \(range.lowerBound)-") else {
                throw RemoteError.protocolViolation(what: what, detail: "a partial answer for another range (\(head.header("content-range") ?? "none"))")
            }
            if let announced, announced > range.upperBound - range.lowerBound {
                throw RemoteError.tooLarge(what: what, detail: "the server announces \(announced) bytes for a range of \(range.upperBound - range.lowerBound)")
            }
        } else {
            skip = range.lowerBound
            if let announced, announced > blobSize {
                throw RemoteError.tooLarge(what: what, detail: "the server announces \(announced) bytes, the manifest says \(blobSize)")
            }
        }
    }

    func body(_ bytes: UnsafeRawBufferPointer) throws {
        var piece = bytes
        if skip > 0 {
            let dropped = Int(min(skip, Int64(piece.count)))
            skip -= Int64(dropped)
            piece = UnsafeRawBufferPointer(rebasing: piece[dropped...])
        }
        guard !piece.isEmpty else { return }
        let wanted = range.upperBound - range.lowerBound
        guard passed + Int64(piece.count) <= wanted else {
            // The range is complete: the rest of a whole-blob answer is not needed.
            let keep = Int(wanted - passed)
            if keep > 0 { try sink(UnsafeRawBufferPointer(rebasing: piece[..<keep])); passed += Int64(keep) }
            if skip == 0 && passed == wanted && range.upperBound < blobSize { throw EnoughRead() }
            throw RemoteError.tooLarge(what: what, detail: "the server sent more than the \(wanted) bytes asked for")
        }
        passed += Int64(piece.count)
        try sink(piece)
    }

    /// Requires the whole range to have arrived.
    func finish() throws {
        guard passed == range.upperBound - range.lowerBound else {
            throw RemoteError.damaged(what: what, detail: "\(passed) of the \(range.upperBound - range.lowerBound) bytes asked for arrived")
        }
    }
}

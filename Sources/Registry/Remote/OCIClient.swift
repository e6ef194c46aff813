import RegistryFormat
import RegistryStore
import Dispatch
import Foundation

/// A buffered answer: status, headers (names lowercased) and a body bounded by the caller.
struct HTTPResponse: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data

    func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The first error of an OCI error body (`{"errors":[{"code":…,"message":…}]}`), on one line.
    var ociError: (code: String?, message: String?) {
        struct Body: Decodable {
            struct Item: Decodable { var code: String?; var message: String? }
            var errors: [Item]?
        }
        let first = (try? JSONDecoder().decode(Body.self, from: body))?.errors?.first
        func line(_ text: String?) -> String? {
            guard let text, !text.isEmpty else { return nil }
            let flat = String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
            return flat.count > 200 ? String(flat.prefix(200)) + "…" : flat
        }
        return (line(first?.code), line(first?.message))
    }
}

/// HTTP to one OCI distribution registry, each call synchronous and callable from several
/// threads at once (`HTTPTransport`, libcurl). It answers 401 challenges itself: `Basic` with
/// the credentials found for the host, `Bearer` with the token dance (ask the challenge's
/// realm for a token for its service and scope, with the user name and password when there
/// are some, else anonymously, then retry with the token). Credentials go only to the
/// registry's own origin (scheme, host and port), or to the realm's for the token request;
/// never in clear text except to a literal loopback address. A redirect of a GET or HEAD is
/// followed (without credentials when it leaves the origin); other methods' redirects are
/// refused. Every answer's body is bounded before it is read.
final class OCIClient: @unchecked Sendable {
    let remote: OCIReference
    let origin: Origin
    private let credentials: OCICredentials
    private let transport: HTTPTransport
    /// Set when a transfer of a batch fails, so that the others stop.
    let cancellation = Cancellation()
    private let lock = NSLock()
    private var authorization: String?

    init(remote: OCIReference, credentials: OCICredentials, limits: HTTPLimits) throws {
        guard let origin = Origin(remote.baseURL) else {
            throw RemoteError.invalidReference(remote.description, reason: "its host is not usable in a URL")
        }
        if !origin.carriesCredentialsSafely && !credentials.isEmpty {
            throw RemoteError.insecureCredentials(host: remote.host, source: credentials.source)
        }
        self.remote = remote
        self.origin = origin
        self.credentials = credentials
        transport = HTTPTransport(limits: limits)
        authorization = credentials.token.map { "Bearer " + $0 }
    }

    /// Requests in flight at once for blob transfers.
    static let width = 4

    /// Bytes of an answer read into memory when the caller sets no other bound (tag lists,
    /// catalogs, upload answers, token answers).
    static let defaultLimit = 1 << 20

    /// `https://HOST/v2/REPO/` + `path`.
    func url(_ path: String) -> URL {
        URL(string: "/v2/" + remote.repository + "/" + path, relativeTo: remote.baseURL)!.absoluteURL
    }

    /// `https://HOST/v2/` + `path` (the catalog, the API check).
    func rootURL(_ path: String) -> URL {
        URL(string: "/v2/" + path, relativeTo: remote.baseURL)!.absoluteURL
    }

    /// Sends a request and reads the answer into memory, at most `limit` bytes of it.
    func send(_ method: String, _ url: URL, headers: [(String, String)] = [], body: HTTPRequestBody = .none, what: String,
              limit: Int = OCIClient.defaultLimit) throws -> HTTPResponse {
        var buffer: BoundedBuffer?
        let response = try exchange(method, url, headers: headers, body: body, what: what) {
            let fresh = BoundedBuffer(limit: limit, what: what, hasBody: method != "HEAD")
            buffer = fresh
            return fresh
        }
        let success = (200...299).contains(response.status)
        return HTTPResponse(status: response.status, headers: response.headers, body: success ? buffer?.data ?? Data() : response.body)
    }

    /// Sends a request; the body of a 2xx answer goes to the sink `makeSink` returns (a fresh
    /// one for each attempt: a 401 is retried with credentials, a redirect followed). An error
    /// answer's body is collected (16 KiB at most) into the returned response instead.
    func exchange(_ method: String, _ url: URL, headers: [(String, String)] = [], body: HTTPRequestBody = .none, what: String,
                  expected: Int64 = 0, makeSink: () -> HTTPResponseSink) throws -> HTTPResponse {
        var target = url
        var renewed = false
        for _ in 0..<8 {
            let sent = lock.withLock { authorization }
            let router = ResponseRouter(success: makeSink())
            var request = HTTPRequest(method: method, url: target, headers: headers, body: body)
            if Origin(target) == origin && origin.carriesCredentialsSafely { request.authorization = sent }
            try transport.perform(request, sink: router, expected: expected, cancel: cancellation)
            let response = router.response
            if response.status == 401 && Origin(target) == origin && !renewed {
                guard let header = response.header("www-authenticate"), let challenge = AuthChallenge(header: header) else {
                    throw RemoteError.unauthorized(host: remote.host, detail: "it answered 401 to \(what) without a challenge",
                                                   source: credentials.source)
                }
                _ = try authenticate(challenge, sent: sent)
                renewed = true
                continue
            }
            if response.status == 401 && renewed {
                throw RemoteError.unauthorized(host: remote.host, detail: "the credentials were refused, or do not allow this (\(what))",
                                               source: credentials.source)
            }
            if [301, 302, 303, 307, 308].contains(response.status) {
                guard method == "GET" || method == "HEAD" else {
                    throw RemoteError.protocolViolation(what: what, detail: "it redirects a \(method) request (HTTP \(response.status))")
                }
                guard let location = response.header("location"), let next = URL(string: location, relativeTo: target)?.absoluteURL,
                      Origin(next) != nil else {
                    throw RemoteError.protocolViolation(what: what, detail: "a redirect without a usable Location")
                }
                target = next
                continue
            }
            return response
        }
        throw RemoteError.protocolViolation(what: what, detail: "more than 7 redirects or challenges")
    }

    private func authenticate(_ challenge: AuthChallenge, sent: String?) throws -> String {
        // Another thread may have renewed it already.
        if let current = lock.withLock({ authorization }), current != sent { return current }
        let header: String
        switch challenge.scheme {
        case "basic":
            guard let basic = credentials.basicHeader else {
                throw RemoteError.unauthorized(host: remote.host, detail: "it asks for a user name and password", source: credentials.source)
            }
            guard sent != basic else {
                throw RemoteError.unauthorized(host: remote.host, detail: "the user name and password were refused", source: credentials.source)
            }
            header = basic
        case "bearer":
            if let token = credentials.token, sent == "Bearer " + token, credentials.basicHeader == nil {
                throw RemoteError.unauthorized(host: remote.host, detail: "the bearer token was refused", source: credentials.source)
            }
            header = "Bearer " + (try fetchToken(challenge))
            guard header != sent else {
                throw RemoteError.unauthorized(host: remote.host, detail: "the token service's token does not grant this operation",
                                               source: credentials.source)
            }
        default:
            throw RemoteError.unauthorized(host: remote.host, detail: "it asks for '\(challenge.scheme)' authentication, which registry does not speak",
                                           source: credentials.source)
        }
        lock.withLock { authorization = header }
        return header
    }

    /// The token dance's middle step: GET realm?service=…&scope=…, with basic credentials if
    /// there are some (sent to the realm's origin only, and never in clear text to another machine).
    private func fetchToken(_ challenge: AuthChallenge) throws -> String {
        guard let url = challenge.tokenURL(), let realm = Origin(url) else {
            throw RemoteError.protocolViolation(what: "a Bearer challenge", detail: "its realm is not an http(s) URL")
        }
        let basic = credentials.basicHeader
        if basic != nil && !realm.carriesCredentialsSafely { throw RemoteError.insecureCredentials(host: realm.description, source: credentials.source) }
        let buffer = BoundedBuffer(limit: Self.defaultLimit, what: "the token from \(realm)")
        let router = ResponseRouter(success: buffer)
        try transport.perform(HTTPRequest(method: "GET", url: url, headers: [("Accept", "application/json")], authorization: basic),
                              sink: router, cancel: cancellation)
        let response = router.response
        if response.status == 401 || response.status == 403 {
            throw RemoteError.unauthorized(host: remote.host, detail: basic == nil
                ? "its token service (\(realm)) gives no anonymous access" : "its token service (\(realm)) refused the user name and password",
                                           source: credentials.source)
        }
        guard response.status == 200 else {
            let error = response.ociError
            throw RemoteError.refused(what: "hand out a token (\(realm))", status: response.status, code: error.code, message: error.message)
        }
        guard let token = (try? JSONDecoder().decode(TokenResponse.self, from: buffer.data))?.value,
              !token.contains(where: { $0.isNewline }) else {
            throw RemoteError.protocolViolation(what: "a token request (\(realm))", detail: "the answer holds no token")
        }
        return token
    }

    /// Runs `body` over `items` on at most `width` threads. The first error stops the others
    /// from starting new items, cancels the transfers in flight, and is rethrown.
    func concurrently<T>(_ items: [T], width: Int = OCIClient.width, _ body: (T) throws -> Void) throws {
        guard !items.isEmpty else { return }
        let cursor = WorkCursor()
        let cancellation = self.cancellation
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let work = body
            nonisolated(unsafe) let list = items
            DispatchQueue.concurrentPerform(iterations: min(width, items.count)) { _ in
                while true {
                    let index: Int? = cursor.lock.withLock {
                        guard cursor.error == nil, cursor.next < list.count else { return nil }
                        defer { cursor.next += 1 }
                        return cursor.next
                    }
                    guard let index else { return }
                    do {
                        try work(list[index])
                    } catch {
                        let first = cursor.lock.withLock {
                            if cursor.error == nil { cursor.error = error; return true }
                            return false
                        }
                        if first { cancellation.cancel() }
                    }
                }
            }
        }
        if let error = cursor.error { throw error }
    }
}

/// The next item to take and the first error, shared by the threads of `concurrently`.
private final class WorkCursor: @unchecked Sendable {
    let lock = NSLock()
    var next = 0
    var error: Error?
}

/// Sends a 2xx answer's body to the caller's sink and keeps any other answer's (bounded).
private final class ResponseRouter: HTTPResponseSink {
    let success: HTTPResponseSink
    private var errorBody: BoundedBuffer?
    private(set) var head = HTTPResponseHead(status: 0, headers: [:])

    init(success: HTTPResponseSink) { self.success = success }

    func head(_ head: HTTPResponseHead) throws {
        self.head = head
        if head.isSuccess {
            try success.head(head)
        } else {
            let buffer = BoundedBuffer(limit: 0, what: "an error answer", hasBody: false)
            try buffer.head(head)
            errorBody = buffer
        }
    }

    func body(_ bytes: UnsafeRawBufferPointer) throws {
        if let errorBody { try errorBody.body(bytes) } else { try success.body(bytes) }
    }

    var response: HTTPResponse { HTTPResponse(status: head.status, headers: head.headers, body: errorBody?.data ?? Data()) }
}

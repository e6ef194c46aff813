import RegistryFormat
import RegistryStore
import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP exchange's outcome; header names lowercased.
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
            let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
            return flat.count > 200 ? String(flat.prefix(200)) + "…" : flat
        }
        return (line(first?.code), line(first?.message))
    }
}

/// HTTP to one OCI distribution registry through FoundationNetworking's `URLSession`: each
/// call synchronous (the CLI's verbs are), callable from several threads at once. It answers
/// 401 challenges itself: `Basic` with the environment's user name and password, `Bearer`
/// with the token dance (ask the challenge's realm for a token for its service and scope,
/// with the user name and password when set, else anonymously, then retry with the token).
/// The Authorization header never leaves the host that asked for it (redirects drop it).
final class OCIClient: @unchecked Sendable {
    let remote: OCIReference
    private let credentials: OCICredentials
    private let session: URLSession
    private let delegate = SessionDelegate()
    private let lock = NSLock()
    private var authorization: String?

    init(remote: OCIReference, credentials: OCICredentials) throws {
        if remote.plainHTTP && !remote.isLoopback && !credentials.isEmpty {
            throw RemoteError.insecureCredentials(host: remote.host)
        }
        self.remote = remote
        self.credentials = credentials
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 300
        configuration.httpMaximumConnectionsPerHost = OCIClient.width
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
        authorization = credentials.token.map { "Bearer " + $0 }
    }

    deinit { session.finishTasksAndInvalidate() }

    /// Requests in flight at once for blob transfers.
    static let width = 6

    /// `https://HOST/v2/REPO/` + `path`.
    func url(_ path: String) -> URL {
        URL(string: "/v2/" + remote.repository + "/" + path, relativeTo: remote.baseURL)!.absoluteURL
    }

    /// Sends a request, authenticating once if the server challenges it.
    func send(_ method: String, _ url: URL, headers: [String: String] = [:], body: Data? = nil, what: String) throws -> HTTPResponse {
        let sent = lock.withLock { authorization }
        let response = try perform(method, url, headers: headers, body: body, authorization: sent)
        guard response.status == 401 else { return response }
        guard let header = response.header("www-authenticate"), let challenge = AuthChallenge(header: header) else {
            throw RemoteError.unauthorized(host: remote.host, detail: "it answered 401 to \(what) without a challenge")
        }
        let renewed = try authenticate(challenge, sent: sent)
        let retried = try perform(method, url, headers: headers, body: body, authorization: renewed)
        if retried.status == 401 {
            throw RemoteError.unauthorized(host: remote.host, detail: "the credentials were refused, or do not allow this (\(what))")
        }
        return retried
    }

    private func authenticate(_ challenge: AuthChallenge, sent: String?) throws -> String {
        // Another thread may have renewed it already.
        if let current = lock.withLock({ authorization }), current != sent { return current }
        let header: String
        switch challenge.scheme {
        case "basic":
            guard let basic = credentials.basicHeader else {
                throw RemoteError.unauthorized(host: remote.host, detail: "it asks for a user name and password")
            }
            guard sent != basic else { throw RemoteError.unauthorized(host: remote.host, detail: "the user name and password were refused") }
            header = basic
        case "bearer":
            if let token = credentials.token, sent == "Bearer " + token, credentials.basicHeader == nil {
                throw RemoteError.unauthorized(host: remote.host, detail: "the token in REGISTRY_OCI_TOKEN was refused")
            }
            header = "Bearer " + (try fetchToken(challenge))
            guard header != sent else {
                throw RemoteError.unauthorized(host: remote.host, detail: "the token service's token does not grant this operation")
            }
        default:
            throw RemoteError.unauthorized(host: remote.host, detail: "it asks for '\(challenge.scheme)' authentication, which registry does not speak")
        }
        lock.withLock { authorization = header }
        return header
    }

    /// The token dance's middle step: GET realm?service=…&scope=…, with basic credentials if set.
    private func fetchToken(_ challenge: AuthChallenge) throws -> String {
        guard let url = challenge.tokenURL(), let realmHost = url.host else {
            throw RemoteError.protocolViolation(what: "a Bearer challenge", detail: "its realm is not an http(s) URL")
        }
        let basic = credentials.basicHeader
        if url.scheme == "http" && basic != nil && !OCIReference.isLoopback(realmHost) {
            throw RemoteError.insecureCredentials(host: realmHost)
        }
        let response = try perform("GET", url, headers: ["Accept": "application/json"], body: nil, authorization: basic)
        if response.status == 401 || response.status == 403 {
            throw RemoteError.unauthorized(host: remote.host, detail: basic == nil
                ? "its token service (\(realmHost)) gives no anonymous access" : "its token service (\(realmHost)) refused the user name and password")
        }
        guard response.status == 200 else {
            let error = response.ociError
            throw RemoteError.refused(what: "hand out a token (\(realmHost))", status: response.status, code: error.code, message: error.message)
        }
        guard let token = (try? JSONDecoder().decode(TokenResponse.self, from: response.body))?.value else {
            throw RemoteError.protocolViolation(what: "a token request (\(realmHost))", detail: "the answer holds no token")
        }
        return token
    }

    private final class Outcome: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var result: Result<HTTPResponse, Error> = .failure(CancellationError())
    }

    /// One exchange, waited for.
    private func perform(_ method: String, _ url: URL, headers: [String: String], body: Data?, authorization: String?) throws -> HTTPResponse {
        var request = URLRequest(url: url)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue(String(body.count), forHTTPHeaderField: "Content-Length")
        }
        let outcome = Outcome()
        let task = session.dataTask(with: request) { data, response, error in
            if let error {
                outcome.result = .failure(error)
            } else if let http = response as? HTTPURLResponse {
                outcome.result = .success(HTTPResponse(status: http.statusCode, headers: Self.fields(http), body: data ?? Data()))
            } else {
                outcome.result = .failure(URLError(.badServerResponse))
            }
            outcome.done.signal()
        }
        task.resume()
        outcome.done.wait()
        if let challenged = delegate.takeChallenge(task) {
            return HTTPResponse(status: challenged.statusCode, headers: Self.fields(challenged), body: Data())
        }
        do {
            return try outcome.result.get()
        } catch {
            throw RemoteError.unreachable(host: url.host.map { h in url.port.map { "\(h):\($0)" } ?? h } ?? remote.host,
                                          detail: Self.describe(error))
        }
    }

    /// Header fields with lowercased names.
    static func fields(_ response: HTTPURLResponse) -> [String: String] {
        var fields: [String: String] = [:]
        for (key, value) in response.allHeaderFields {
            if let key = key as? String, let value = value as? String { fields[key.lowercased()] = value }
        }
        return fields
    }

    static func describe(_ error: Error) -> String {
        if let urlError = error as? URLError {
            switch urlError.code {
            case .cannotConnectToHost: return "connection refused"
            case .cannotFindHost, .dnsLookupFailed: return "unknown host"
            case .timedOut: return "timed out"
            case .networkConnectionLost: return "the connection was lost"
            case .notConnectedToInternet: return "no network"
            case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateHasUnknownRoot,
                 .serverCertificateNotYetValid, .clientCertificateRejected, .clientCertificateRequired:
                return "the TLS handshake failed (\(urlError.localizedDescription))"
            default: break
            }
        }
        let text = (error as NSError).localizedDescription
        if text.contains("SSL") || text.contains("TLS") { return "the TLS handshake failed (\(text)); a plain-HTTP server needs oci+http://" }
        return text
    }

    /// Runs `body` over `items` on at most `width` threads; the first error stops the others
    /// from starting new items and is rethrown.
    static func concurrently<T>(_ items: [T], width: Int = OCIClient.width, _ body: (T) throws -> Void) throws {
        guard !items.isEmpty else { return }
        let cursor = WorkCursor()
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
                    do { try work(list[index]) } catch { cursor.lock.withLock { if cursor.error == nil { cursor.error = error } } }
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

/// The session's delegate. It drops the Authorization header when a redirect leaves the host
/// (blob storage on another domain must not see the registry's credentials), and it takes
/// 401 challenges away from URLSession: FoundationNetworking's own handling of them hangs or
/// traps on Linux, so the 401 answer is recorded, the task cancelled, and `OCIClient` answers
/// the challenge itself.
private final class SessionDelegate: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var challenged: [Int: HTTPURLResponse] = [:]

    func urlSession(_ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
                    completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
        // Server-trust (TLS) challenges carry no 401 answer and keep the default handling.
        guard let response = challenge.failureResponse as? HTTPURLResponse, response.statusCode == 401 else {
            completionHandler(.performDefaultHandling, nil)
            return
        }
        lock.withLock { challenged[task.taskIdentifier] = response }
        completionHandler(.cancelAuthenticationChallenge, nil)
    }

    /// The challenged answer a task was cancelled for, if it was.
    func takeChallenge(_ task: URLSessionTask) -> HTTPURLResponse? {
        lock.withLock { challenged.removeValue(forKey: task.taskIdentifier) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        var next = request
        if request.url?.host != task.originalRequest?.url?.host || request.url?.port != task.originalRequest?.url?.port {
            next.setValue(nil, forHTTPHeaderField: "Authorization")
        }
        completionHandler(next)
    }
}

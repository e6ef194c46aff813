import CCurl
import Foundation

/// HTTP/1.1 exchanges through libcurl's easy interface, each on the calling thread (the CLI's
/// verbs are synchronous; transfers run side by side on `OCIClient.concurrently`'s threads).
///
/// Chosen over FoundationNetworking's `URLSession` (which is libcurl underneath): a 3xx
/// answer's body is gathered in memory by URLSession before any delegate sees it, and its
/// data delegate gets bytes with no back-pressure, so no caller can bound what a server makes
/// it hold. Chosen over async-http-client: its first build costs 2.5–4.5 minutes on this
/// machine, on every CI run, for what libcurl (already linked by FoundationNetworking) does.
/// Here the body goes to a `HTTPResponseSink` as it arrives, on this thread: a sink that is
/// slow slows the socket down (back-pressure), a sink that refuses (a `Content-Length` or a
/// byte count past its bound) ends the transfer at once. Redirects are never followed here;
/// `OCIClient` decides about them. Connections are kept alive in a pool of easy handles.
final class HTTPTransport: @unchecked Sendable {
    let limits: HTTPLimits
    private let lock = NSLock()
    private var idle: [OpaquePointer] = []

    init(limits: HTTPLimits) {
        _ = ccurl_global_init()
        self.limits = limits
    }

    deinit {
        for handle in idle { ccurl_easy_cleanup(UnsafeMutableRawPointer(handle)) }
    }

    /// Makes one exchange: the head goes to `sink.head`, the body to `sink.body`. `expected`
    /// (bytes the exchange should move, either way) scales the deadline; `cancel` aborts the
    /// transfer when another one of its batch failed.
    func perform(_ request: HTTPRequest, sink: HTTPResponseSink, expected: Int64 = 0, cancel: Cancellation? = nil) throws {
        guard let handle = take() else { throw RemoteError.unreachable(host: request.url.host ?? "?", detail: "libcurl could not start: \(String(cString: ccurl_load_error_message()))") }
        let context = TransferContext(request: request, sink: sink, cancel: cancel)
        var headers: UnsafeMutablePointer<curl_slist>?
        defer {
            ccurl_slist_free_all(headers)
            give(back: handle)
        }
        let started = Date()
        let deadline = limits.deadline(bytes: max(expected, request.body.length))
        let code: CURLcode = try request.url.absoluteString.withCString { url in
            try configure(handle, request: request, url: url, context: context, deadline: deadline, headers: &headers)
            return withExtendedLifetime(context) { ccurl_easy_perform(UnsafeMutableRawPointer(handle)) }
        }
        if let error = context.error {
            guard error is EnoughRead else { throw error }
            return
        }
        guard code == CURLE_OK else {
            throw Self.failure(code, request: request, answered: context.status != 0, elapsed: Date().timeIntervalSince(started),
                               deadline: deadline, limits: limits)
        }
        if !context.headDelivered { try context.deliverHead() }
    }

    private func configure(_ handle: OpaquePointer, request: HTTPRequest, url: UnsafePointer<CChar>, context: TransferContext,
                           deadline: Double, headers: inout UnsafeMutablePointer<curl_slist>?) throws {
        let curl = UnsafeMutableRawPointer(handle)
        let opaque = Unmanaged.passUnretained(context).toOpaque()
        _ = ccurl_set_string(curl, CURLOPT_URL, url)
        _ = ccurl_set_string(curl, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = ccurl_set_long(curl, CURLOPT_FOLLOWLOCATION, 0)
        _ = ccurl_set_long(curl, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_set_long(curl, CURLOPT_TCP_NODELAY, 1)
        _ = ccurl_set_long(curl, CURLOPT_CONNECTTIMEOUT_MS, Int(limits.connectTimeout * 1000))
        _ = ccurl_set_long(curl, CURLOPT_TIMEOUT_MS, Int(deadline * 1000))
        // "Idle": slower than 1 KiB/s for the whole idle timeout (a drip of bytes is idle too).
        _ = ccurl_set_long(curl, CURLOPT_LOW_SPEED_LIMIT, 1024)
        _ = ccurl_set_long(curl, CURLOPT_LOW_SPEED_TIME, max(1, Int(limits.idleTimeout.rounded(.up))))
        _ = ccurl_set_long(curl, CURLOPT_BUFFERSIZE, 256 << 10)
        _ = ccurl_set_header_callback(curl, headerCallback, opaque)
        _ = ccurl_set_write(curl, writeCallback, opaque)
        _ = ccurl_set_progress(curl, progressCallback, opaque)
        switch request.method {
        case "GET": break
        case "HEAD": _ = ccurl_set_long(curl, CURLOPT_NOBODY, 1)
        default:
            if request.body.length > 0 || request.method == "PUT" || request.method == "PATCH" {
                _ = ccurl_set_long(curl, CURLOPT_UPLOAD, 1)
                _ = ccurl_set_offset(curl, CURLOPT_INFILESIZE_LARGE, curl_off_t(request.body.length))
                _ = ccurl_set_long(curl, CURLOPT_UPLOAD_BUFFERSIZE, 512 << 10)
                _ = ccurl_set_read(curl, readCallback, opaque)
            } else {
                // An empty POST with "Content-Length: 0", which some servers require.
                _ = ccurl_set_long(curl, CURLOPT_POST, 1)
                _ = ccurl_set_offset(curl, CURLOPT_POSTFIELDSIZE_LARGE, 0)
                _ = ccurl_set_string(curl, CURLOPT_POSTFIELDS, "")
            }
            _ = ccurl_set_string(curl, CURLOPT_CUSTOMREQUEST, request.method)
        }
        // No "Expect: 100-continue" round trip before a body; no "Accept: */*" unless asked.
        var lines = ["Expect:"]
        for (name, value) in request.headers {
            guard !name.contains(where: { $0 == ":" || $0.isNewline }), !value.contains(where: \.isNewline) else {
                throw RemoteError.protocolViolation(what: "a request header", detail: "'\(name)' holds a line break or a colon")
            }
            lines.append("\(name): \(value)")
        }
        if let authorization = request.authorization { lines.append("Authorization: \(authorization)") }
        for line in lines { headers = ccurl_slist_append(headers, line) }
        _ = ccurl_set_headers(curl, headers)
    }

    private func take() -> OpaquePointer? {
        if let handle = lock.withLock({ idle.popLast() }) { return handle }
        return ccurl_easy_init().map { OpaquePointer($0) }
    }

    /// Returns a handle to the pool with its options reset; its connection stays open for the next exchange.
    private func give(back handle: OpaquePointer) {
        ccurl_easy_reset(UnsafeMutableRawPointer(handle))
        lock.withLock { idle.append(handle) }
    }

    /// A failed transfer in words: connection refused, a deadline, a lost connection, TLS.
    static func failure(_ code: CURLcode, request: HTTPRequest, answered: Bool, elapsed: Double, deadline: Double,
                        limits: HTTPLimits) -> RemoteError {
        let host = request.url.host.map { host in request.url.port.map { "\(host):\($0)" } ?? host } ?? "?"
        let what = "\(request.method) \(request.url.path)"
        switch code {
        case CURLE_COULDNT_CONNECT: return .unreachable(host: host, detail: "connection refused")
        case CURLE_COULDNT_RESOLVE_HOST: return .unreachable(host: host, detail: "unknown host")
        case CURLE_OPERATION_TIMEDOUT:
            if elapsed + 0.5 >= deadline {
                return .timedOut(host: host, detail: "\(what) took longer than its deadline of \(Int(deadline)) s "
                                 + "(REGISTRY_OCI_DEADLINE \(Int(limits.baseDeadline)) s plus its size at REGISTRY_OCI_MIN_RATE \(Int(limits.minimumRate / 1024)) KiB/s)")
            }
            if !answered && elapsed + 0.5 < limits.idleTimeout {
                return .timedOut(host: host, detail: "no connection within \(Int(limits.connectTimeout)) s (REGISTRY_OCI_CONNECT_TIMEOUT)")
            }
            return .timedOut(host: host, detail: "\(what) stalled: under 1 KiB/s for \(Int(limits.idleTimeout)) s (REGISTRY_OCI_IDLE_TIMEOUT)")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE,
             CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_USE_SSL_FAILED:
            return .unreachable(host: host, detail: "the TLS handshake failed (\(String(cString: ccurl_easy_strerror(code)))); "
                                + "a plain-HTTP server needs oci+http://")
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE:
            return .unreachable(host: host, detail: "the connection was lost")
        case CURLE_WEIRD_SERVER_REPLY, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_CONTENT_ENCODING:
            return .protocolViolation(what: what, detail: "the server's answer is not HTTP (\(String(cString: ccurl_easy_strerror(code))))")
        default:
            return .unreachable(host: host, detail: String(cString: ccurl_easy_strerror(code)))
        }
    }
}

/// The state of one transfer, reached from libcurl's callbacks through their context pointer.
private final class TransferContext {
    let request: HTTPRequest
    let sink: HTTPResponseSink
    let cancel: Cancellation?
    var error: Error?
    var status = 0
    var headers: [String: String] = [:]
    var headerBytes = 0
    var headDelivered = false
    var sent: Int64 = 0
    private var producer: ((UnsafeMutableRawBufferPointer) throws -> Int)?

    /// Header lines past this many bytes in one answer end the transfer.
    static let maxHeaderBytes = 64 << 10

    init(request: HTTPRequest, sink: HTTPResponseSink, cancel: Cancellation?) {
        self.request = request
        self.sink = sink
        self.cancel = cancel
    }

    func deliverHead() throws {
        headDelivered = true
        try sink.head(HTTPResponseHead(status: status, headers: headers))
    }

    /// One header line (the status line included); false ends the transfer.
    func header(_ line: Substring) -> Bool {
        headerBytes += line.utf8.count
        if headerBytes > Self.maxHeaderBytes {
            error = RemoteError.protocolViolation(what: "\(request.method) \(request.url.path)", detail: "its headers exceed \(Self.maxHeaderBytes >> 10) KiB")
            return false
        }
        let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("HTTP/") {
            let parts = text.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = [:]
            return true
        }
        if text.isEmpty {
            // The end of one answer's head; an interim 1xx answer is followed by the real one.
            guard status >= 200, !headDelivered else { return true }
            do { try deliverHead() } catch { self.error = error; return false }
            return true
        }
        guard let colon = text.firstIndex(of: ":") else { return true }
        let name = text[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        headers[name] = headers[name].map { $0 + ", " + value } ?? value
        return true
    }

    func body(_ bytes: UnsafeRawBufferPointer) -> Bool {
        do {
            if !headDelivered { try deliverHead() }
            try sink.body(bytes)
            return true
        } catch {
            self.error = error
            return false
        }
    }

    /// Fills `buffer` with the next bytes of the request body; nil on failure.
    func fill(_ buffer: UnsafeMutableRawBufferPointer) -> Int? {
        do {
            let count: Int
            switch request.body {
            case .none: count = 0
            case .bytes(let data):
                let start = Int(sent)
                count = min(buffer.count, data.count - start)
                if count > 0 { data.copyBytes(to: buffer.bindMemory(to: UInt8.self), from: start..<(start + count)) }
            case .stream(let length, let open):
                if producer == nil { producer = try open() }
                count = min(try producer!(buffer), Int(length - sent))
            }
            sent += Int64(count)
            return count
        } catch {
            self.error = error
            return nil
        }
    }
}

private func context(_ pointer: UnsafeMutableRawPointer?) -> TransferContext {
    Unmanaged<TransferContext>.fromOpaque(pointer!).takeUnretainedValue()
}

private let headerCallback: ccurl_data_callback = { data, size, count, pointer in
    let length = size * count
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    return context(pointer).header(Substring(line)) ? length : 0
}

private let writeCallback: ccurl_data_callback = { data, size, count, pointer in
    let length = size * count
    return context(pointer).body(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

private let readCallback: ccurl_data_callback = { data, size, count, pointer in
    let buffer = UnsafeMutableRawBufferPointer(start: data, count: size * count)
    return context(pointer).fill(buffer) ?? ccurl_read_abort()
}

private let progressCallback: ccurl_progress_callback = { pointer, _, _, _, _ in
    context(pointer).cancel?.isCancelled == true ? 1 : 0
}

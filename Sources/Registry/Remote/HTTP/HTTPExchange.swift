import Foundation

/// One HTTP request to make. `authorization` is set by `OCIClient` only where the origin
/// rules allow it (`Origin.mayReceiveCredentials`).
struct HTTPRequest: Sendable {
    var method: String
    var url: URL
    var headers: [(String, String)] = []
    var body: HTTPRequestBody = .none
    var authorization: String?
}

/// What a request sends.
enum HTTPRequestBody: @unchecked Sendable {
    case none
    case bytes(Data)
    /// `length` bytes written on demand: `open` is called once per attempt (a request retried
    /// after a 401 sends its body again) and returns what fills each buffer, returning how
    /// many bytes it wrote (0 at the end).
    case stream(length: Int64, open: () throws -> (UnsafeMutableRawBufferPointer) throws -> Int)

    var length: Int64 {
        switch self {
        case .none: 0
        case .bytes(let data): Int64(data.count)
        case .stream(let length, _): length
        }
    }
}

/// A response's status and headers (names lowercased; repeated headers joined with ", ").
struct HTTPResponseHead: Sendable {
    var status: Int
    var headers: [String: String]

    func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// `Content-Length`, when the server sent a valid one.
    var contentLength: Int64? { header("content-length").flatMap { Int64($0) }.flatMap { $0 >= 0 ? $0 : nil } }

    var isSuccess: Bool { (200...299).contains(status) }
}

/// Where a response goes as it arrives: its head first (throwing there refuses the body
/// before any of it is read), then its body piece by piece (throwing stops the transfer).
protocol HTTPResponseSink: AnyObject {
    func head(_ head: HTTPResponseHead) throws
    func body(_ bytes: UnsafeRawBufferPointer) throws
}

/// Timeouts and the minimum transfer rate: configurable through the environment,
/// `REGISTRY_OCI_CONNECT_TIMEOUT`, `REGISTRY_OCI_IDLE_TIMEOUT` and `REGISTRY_OCI_DEADLINE`
/// (seconds) and `REGISTRY_OCI_MIN_RATE` (KiB/s).
package struct HTTPLimits: Sendable, Equatable {
    /// Seconds to establish a connection (TCP and TLS).
    var connectTimeout: Double = 30
    /// Seconds a transfer may stay under 1 KiB/s before it is abandoned.
    var idleTimeout: Double = 60
    /// Every exchange may take this long, plus its size at `minimumRate`.
    var baseDeadline: Double = 60
    /// Bytes per second a transfer must average: a 16 MiB pack gets 60 s + 256 s at 64 KiB/s.
    var minimumRate: Double = 64 * 1024

    static let standard = HTTPLimits()

    /// Reads the overrides from `environment`; a value that is not a positive number is an error.
    package static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> HTTPLimits {
        var limits = HTTPLimits()
        func value(_ key: String) throws -> Double? {
            guard let text = environment[key], !text.isEmpty else { return nil }
            guard let number = Double(text), number > 0, number.isFinite else {
                throw RemoteError.invalidSetting(name: key, value: text, expected: "a positive number")
            }
            return number
        }
        if let seconds = try value("REGISTRY_OCI_CONNECT_TIMEOUT") { limits.connectTimeout = seconds }
        if let seconds = try value("REGISTRY_OCI_IDLE_TIMEOUT") { limits.idleTimeout = seconds }
        if let seconds = try value("REGISTRY_OCI_DEADLINE") { limits.baseDeadline = seconds }
        if let rate = try value("REGISTRY_OCI_MIN_RATE") { limits.minimumRate = rate * 1024 }
        return limits
    }

    /// Seconds an exchange moving `bytes` may take in all.
    func deadline(bytes: Int64) -> Double {
        baseDeadline + Double(max(0, bytes)) / minimumRate
    }
}

/// Set once a batch of transfers has failed: the others stop at their next progress report
/// (libcurl reports at least once a second, even while a server stalls).
final class Cancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    var isCancelled: Bool { lock.withLock { cancelled } }

    func cancel() { lock.withLock { cancelled = true } }
}

/// Collects a response body in memory, refusing it as soon as it would pass `limit` bytes (by
/// its `Content-Length` before any byte is read, by count as bytes arrive). An error answer's
/// body is kept up to 16 KiB (enough for the OCI error it should hold) and the rest dropped.
final class BoundedBuffer: HTTPResponseSink {
    let limit: Int
    let what: String
    /// False for the answer to a HEAD, whose Content-Length describes a body never sent.
    let hasBody: Bool
    private(set) var head = HTTPResponseHead(status: 0, headers: [:])
    private(set) var data = Data()
    private var errorAnswer = false

    /// Bytes of an error answer's body that are kept.
    static let errorBodyLimit = 16 << 10

    init(limit: Int, what: String, hasBody: Bool = true) {
        self.limit = limit
        self.what = what
        self.hasBody = hasBody
    }

    func head(_ head: HTTPResponseHead) throws {
        self.head = head
        errorAnswer = !head.isSuccess
        guard !errorAnswer, hasBody else { return }
        if let length = head.contentLength, length > Int64(limit) {
            throw RemoteError.tooLarge(what: what, detail: "the server announces \(length) bytes, more than the \(limit) accepted")
        }
        data.reserveCapacity(min(limit, Int(head.contentLength ?? 0)))
    }

    func body(_ bytes: UnsafeRawBufferPointer) throws {
        if errorAnswer {
            data.append(contentsOf: bytes.prefix(max(0, Self.errorBodyLimit - data.count)))
            if data.count >= Self.errorBodyLimit { throw EnoughRead() }
            return
        }
        guard data.count + bytes.count <= limit else {
            throw RemoteError.tooLarge(what: what, detail: "the server sent more than the \(limit) bytes accepted")
        }
        data.append(contentsOf: bytes)
    }

    var response: HTTPResponse { HTTPResponse(status: head.status, headers: head.headers, body: data) }
}

/// Thrown by a sink that has read all it wants of a body: the transfer ends, without error.
struct EnoughRead: Error {}

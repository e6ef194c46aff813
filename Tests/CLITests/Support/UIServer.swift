import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestSupport

/// `registry ui --registry DB --port 0` running for one test: started, its URL read from the
/// line it prints once it listens, stopped (SIGTERM) by `stop()`.
final class UIServer: @unchecked Sendable {
    let process = Process()
    let url: String
    let port: Int
    private let output: Pipe

    /// Starts the server on `database` and waits (at most 60 s) for its URL.
    init(database: String, extra: [String] = []) throws {
        guard let binary = RegistryBinary.path else {
            throw TestFailure("the registry binary was not found beside the test bundle; set REGISTRY_BINARY")
        }
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["ui", "--registry", database, "--port", "0"] + extra
        var environment = ProcessInfo.processInfo.environment
        environment["REGISTRY_PATH"] = nil
        process.environment = environment
        output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        while !text.contains("\n") && Date() < deadline && process.isRunning {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let range = text.range(of: #"http://127\.0\.0\.1:(\d+)/"#, options: .regularExpression) else {
            process.terminate()
            throw TestFailure("registry ui printed no URL: \(text)")
        }
        url = String(text[range])
        port = Int(url.split(separator: ":").last!.dropLast())!
    }

    /// Stops the server and returns its exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { if process.isRunning { process.terminate() } }

    /// What one request got back.
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        var contentType: String { headers["content-type"] ?? "" }
        func json() throws -> Any { try JSONSerialization.jsonObject(with: body) }
        /// The body as `{"error": {...}}`'s inner object.
        func error() throws -> [String: String] {
            let object = try #require(try json() as? [String: Any], "not JSON: \(text)")
            return try #require(object["error"] as? [String: String], "no error object: \(text)")
        }
    }

    /// `METHOD path` (path and query as sent, already encoded).
    func request(_ path: String, method: String = "GET") throws -> Reply {
        var request = URLRequest(url: URL(string: url + path.dropFirst())!)
        request.httpMethod = method
        request.timeoutInterval = 60
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<Reply, any Error> = .failure(TestFailure("no answer to \(path)"))
        session.dataTask(with: request) { data, response, error in
            if let http = response as? HTTPURLResponse {
                var headers: [String: String] = [:]
                for (key, value) in http.allHeaderFields { headers[String(describing: key).lowercased()] = String(describing: value) }
                result = .success(Reply(status: http.statusCode, headers: headers, body: data ?? Data()))
            } else {
                result = .failure(error ?? TestFailure("no HTTP response to \(path)"))
            }
            done.signal()
        }.resume()
        done.wait()
        return try result.get()
    }

    /// Sends `raw` on a new TCP connection, reads at most `readBytes` of the answer, closes.
    func rawExchange(_ raw: String, readBytes: Int) throws -> Data {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestFailure("connect: \(errno)") }
        _ = raw.withCString { send(fd, $0, strlen($0), 0) }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while received.count < readBytes {
            let n = recv(fd, &buffer, min(buffer.count, readBytes - received.count), 0)
            if n <= 0 { break }
            received.append(contentsOf: buffer[0..<n])
        }
        return received
    }
}

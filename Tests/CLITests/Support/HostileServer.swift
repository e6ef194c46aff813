import Foundation
import Testing
import TestSupport

/// `scripts/hostile_oci_server.py` on 127.0.0.1 (and 127.0.0.2, "another origin") at a free
/// port, serving a version copied from a real registry and misbehaving as `mode` says; stopped
/// by `stop()`. Its log says, per request, on which listener it came and whether it carried
/// an Authorization header.
final class HostileServer {
    let port: Int
    let log: String
    private let process: Process

    /// Copies `tag` of `repository` from `server` (manifest and blobs) into `folder`/content.
    static func snapshot(_ server: OCIServer, _ repository: String, tag: String, into folder: String) throws -> String {
        let content = folder + "/content"
        try FileManager.default.createDirectory(atPath: content + "/blobs", withIntermediateDirectories: true)
        let manifest = try OCIHTTP.get(server, repository, "manifests/" + tag, accept: "application/vnd.oci.image.manifest.v1+json")
        try manifest.write(to: URL(fileURLWithPath: content + "/manifest.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: manifest) as? [String: Any])
        let config = try #require(object["config"] as? [String: Any])
        var digests = [try #require(config["digest"] as? String)]
        for layer in object["layers"] as? [[String: Any]] ?? [] { digests.append(try #require(layer["digest"] as? String)) }
        for digest in digests {
            try OCIHTTP.get(server, repository, "blobs/" + digest).write(to: URL(fileURLWithPath: content + "/blobs/" + digest))
        }
        return content
    }

    init(mode: String, content: String, folder: String) throws {
        port = try OCIServer.freePort()
        log = folder + "/hostile-\(mode).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", packageRoot.appendingPathComponent("scripts/hostile_oci_server.py").path, String(port), mode, content, log]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        guard waitUntil(timeout: 15, { OCIServer.accepts(port: port) }) else {
            stop()
            throw TestFailure("the hostile server (\(mode)) did not start")
        }
    }

    deinit { stop() }

    /// `oci+http://127.0.0.1:PORT/REPO`.
    func url(_ repository: String) -> String { "oci+http://127.0.0.1:\(port)/\(repository)" }

    /// SIGKILL: children of the test process may inherit a mask that blocks SIGTERM.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The requests logged: listener address, method, path, whether credentials came along.
    func requests() -> [(listener: String, method: String, path: String, auth: Bool)] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return (object["listener"] as? String ?? "", object["method"] as? String ?? "", object["path"] as? String ?? "",
                    object["auth"] as? Bool ?? false)
        }
    }
}

/// Runs the registry binary under GNU time; returns the result and its peak RSS in bytes.
func withPeakRSS(_ remote: RemoteDriver, _ arguments: [String], environment: [String: String] = [:]) throws -> (ProcessResult, Int64) {
    let report = remote.cli.tmp.path + "/time-\(UUID().uuidString).txt"
    let result = try remote.run(arguments, environment: environment, wrapper: ["/usr/bin/time", "-f", "%M", "-o", report])
    let text = try String(contentsOfFile: report, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    let kilobytes = try #require(Int64(text.split(separator: "\n").last.map(String.init) ?? ""), "no RSS in \(text)")
    return (result, kilobytes * 1024)
}

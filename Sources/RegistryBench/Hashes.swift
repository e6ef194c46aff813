import Crypto
import Foundation

/// The content address per 1 MiB chunk: swift-crypto's SHA-256 (BoringSSL) on one thread and
/// on every core, beside Python's hashlib.sha256 (OpenSSL), BLAKE3 and xxh3-128 timed by
/// `scripts/bench_io.py hashes` in the TensorFlow venv. Throughput in GB/s (1e9 bytes/s).
enum Hashes {
    struct Result {
        var name: String
        var gigabytesPerSecond: Double
    }

    static func swiftSHA256(_ data: [UInt8], chunk: Int = 1 << 20) -> [Result] {
        let chunks = data.count / chunk
        var sink: UInt8 = 0
        let single = median(7) {
            data.withUnsafeBytes { buffer in
                for i in 0..<chunks {
                    let digest = SHA256.hash(data: UnsafeRawBufferPointer(rebasing: buffer[(i * chunk)..<((i + 1) * chunk)]))
                    sink ^= digest.withUnsafeBytes { $0[0] }
                }
            }
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let parallel = median(7) {
            data.withUnsafeBytes { buffer in
                // Read-only for the duration of the call; each iteration hashes its own chunk.
                nonisolated(unsafe) let base = buffer.baseAddress!
                DispatchQueue.concurrentPerform(iterations: chunks) { i in
                    let digest = SHA256.hash(data: UnsafeRawBufferPointer(start: base + i * chunk, count: chunk))
                    _ = digest.withUnsafeBytes { $0[0] }
                }
            }
        }
        if sink == 42 { print("") }
        let bytes = Double(chunks * chunk)
        return [Result(name: "swift-crypto SHA256, 1 thread", gigabytesPerSecond: bytes / single / 1e9),
                Result(name: "swift-crypto SHA256, \(cores) threads", gigabytesPerSecond: bytes / parallel / 1e9)]
    }

    /// Runs the Python side; nil when it failed (the reason is printed).
    static func python(_ python: String, script: String) -> [Result]? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "hashes"]
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { print("python hashes failed: \(error)"); return nil }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard let json = try? JSONSerialization.jsonObject(with: output) as? [[String: Any]] else {
            print("python hashes failed (exit \(process.terminationStatus))")
            return nil
        }
        return json.compactMap { row in
            guard let name = row["name"] as? String, let rate = row["gbps"] as? Double else { return nil }
            return Result(name: name, gigabytesPerSecond: rate)
        }
    }
}

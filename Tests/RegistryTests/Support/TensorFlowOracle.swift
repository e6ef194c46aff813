import Foundation
import Testing

/// Runs `../shared/tools/tfcheck.py` with the project's TensorFlow venv. The Makefile sets
/// `REGISTRY_TF_PYTHON`; with `REGISTRY_REQUIRE_TF=1` (as `make test` and CI do) a missing
/// venv fails the tests that need it instead of skipping them.
enum TensorFlowOracle {
    static let python: String? = {
        guard let path = ProcessInfo.processInfo.environment["REGISTRY_TF_PYTHON"], FileManager.default.isExecutableFile(atPath: path) else {
            return nil
        }
        return path
    }()

    static var required: Bool { ProcessInfo.processInfo.environment["REGISTRY_REQUIRE_TF"] == "1" }

    /// True when tests that need TensorFlow should run (they then fail if it is missing).
    static var enabled: Bool { python != nil || required }

    static var tool: String {
        URL(fileURLWithPath: Fixtures.root).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("tools/tfcheck.py").path
    }

    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    static func run(_ arguments: [String]) throws -> Result {
        try runPython([tool] + arguments)
    }

    /// Runs the venv's python with `arguments` (a script and its arguments).
    static func runPython(_ arguments: [String]) throws -> Result {
        guard let python else {
            throw OracleError.unavailable("REGISTRY_TF_PYTHON is not set or not executable; run the tests through `make test`")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["TF_CPP_MIN_LOG_LEVEL"] = "2"
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes concurrently-safe: stdout fully, then stderr (TF writes little there).
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: stdout, stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// `tfcheck.py ckpt PREFIX`: TensorFlow's view of every tensor (key → dtype, shape, sha256).
    static func checkpointVariables(prefix: String) throws -> [String: (dtype: String, shape: [Int64], sha256: String)] {
        let result = try run(["ckpt", prefix])
        guard result.status == 0 else {
            throw OracleError.failed("tfcheck ckpt exited \(result.status): \(result.stderr.suffix(2000))")
        }
        let json = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
        let checkpoint = (json?["checkpoints"] as? [[String: Any]])?.first
        var variables: [String: (String, [Int64], String)] = [:]
        for variable in checkpoint?["variables"] as? [[String: Any]] ?? [] {
            variables[variable["key"] as! String] = (variable["dtype"] as! String, (variable["shape"] as! [Int]).map(Int64.init),
                                                      variable["sha256"] as! String)
        }
        return variables
    }

    enum OracleError: Error, CustomStringConvertible {
        case unavailable(String)
        case failed(String)
        var description: String {
            switch self {
            case .unavailable(let s), .failed(let s): return s
            }
        }
    }
}

/// A small deterministic generator (xorshift64*), so every run builds the same data.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 0x9e37_79b9_7f4a_7c15 : seed }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_f491_4f6c_dd1d
    }
}

import Foundation

/// Real TensorFlow, reached through a Python venv (`$REGISTRY_TF_PYTHON`, TF 2.21) and
/// `../shared/tools/tfcheck.py`. The Makefile sets both variables below. Tests that need
/// TensorFlow are gated with `.enabled(if: TensorFlowOracle.enabled)`: they run when
/// `REGISTRY_TF_PYTHON` is set or `REGISTRY_REQUIRE_TF=1` (as `make test` and CI do), and
/// then a missing or unusable python fails them instead of skipping them.
public enum TensorFlowOracle {
    private static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// `REGISTRY_REQUIRE_TF=1`: the TensorFlow tests must run.
    public static var required: Bool { environment["REGISTRY_REQUIRE_TF"] == "1" }

    /// True when tests that need TensorFlow should run (they then fail if it is missing).
    public static var enabled: Bool { environment["REGISTRY_TF_PYTHON"] != nil || required }

    /// The venv's python; throws (failing the test) when it is not configured or not there.
    public static func requirePython() throws -> String {
        guard let python = environment["REGISTRY_TF_PYTHON"], !python.isEmpty else {
            throw TestFailure("REGISTRY_TF_PYTHON is not set (point it at a TF 2.21 venv's python, or run the tests through `make test`)")
        }
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw TestFailure("REGISTRY_TF_PYTHON=\(python) is not an executable file")
        }
        return python
    }

    /// `tfcheck.py`, in the `tools` folder beside the fixtures' folder.
    public static var tool: String {
        URL(fileURLWithPath: Fixtures.root).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("tools/tfcheck.py").path
    }

    /// `tfcheck.py ARGUMENTS…`.
    public static func run(_ arguments: [String]) throws -> ProcessResult {
        try runPython([tool] + arguments)
    }

    /// The venv's python with `arguments` (a script and its arguments).
    public static func runPython(_ arguments: [String]) throws -> ProcessResult {
        try runProcess(try requirePython(), arguments)
    }

    /// A Python snippet run by the venv's interpreter (numpy and tensorflow are there).
    public static func runScript(_ source: String, _ arguments: [String]) throws -> ProcessResult {
        try runPython(["-c", source] + arguments)
    }

    /// Rewrites a SavedModel folder's `saved_model.pb` as `saved_model.pbtxt`, the way
    /// TensorFlow's Python text format writes it (`Any`s expanded), and removes the binary.
    public static func convertToTextGraph(_ folder: String, scratch: String) throws {
        let script = """
        import sys
        from google.protobuf import text_format
        from tensorflow.core.protobuf import saved_model_pb2
        sm = saved_model_pb2.SavedModel()
        with open(sys.argv[1] + "/saved_model.pb", "rb") as f:
            sm.ParseFromString(f.read())
        with open(sys.argv[1] + "/saved_model.pbtxt", "w") as f:
            f.write(text_format.MessageToString(sm))
        """
        try script.write(toFile: scratch + "/totext.py", atomically: true, encoding: .utf8)
        let converted = try runPython([scratch + "/totext.py", folder])
        guard converted.status == 0 else { throw TestFailure("text conversion failed: \(converted.stderr.suffix(1000))") }
        try FileManager.default.removeItem(atPath: folder + "/saved_model.pb")
    }

    /// `tfcheck.py ckpt PREFIX`: TensorFlow's view of every tensor (key → dtype, shape, sha256).
    public static func checkpointVariables(prefix: String) throws -> [String: (dtype: String, shape: [Int64], sha256: String)] {
        let result = try run(["ckpt", prefix])
        guard result.status == 0 else {
            throw TestFailure("tfcheck ckpt exited \(result.status): \(result.stderr.suffix(2000))")
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
}

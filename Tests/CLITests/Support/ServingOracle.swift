import Foundation
import RegistryFormat
import TestSupport

/// What the serving tests check a TensorFlow Serving base path and its config with: the
/// state on disk as the server would see it (numeric folders, the model's config entry), the
/// invariants a sync must keep at every moment, modification times, and real TensorFlow
/// (every version folder loaded and its `serving_default` signature run, the config parsed by
/// tensorflow-serving-api's `model_server_config_pb2`).
struct ServingState: Equatable, CustomStringConvertible {
    /// Version folders in the base path by number (TF Serving's reading of the names).
    var folders: [Int64: String]
    /// The names TF Serving ignores (hidden staging leftovers, the marker files are inside folders).
    var others: [String]
    /// The model's `model_version_policy { specific }` and labels, when the config names it.
    var policy: [Int64]?
    var labels: [String: Int64]

    init(base: String, config: String?, model: String) throws {
        folders = [:]
        others = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] {
            if let number = ServingVersionName.number(name) { folders[number] = name } else { others.append(name) }
        }
        others.sort()
        labels = [:]
        guard let config, FileManager.default.fileExists(atPath: config) else { return }
        let text = String(decoding: try fileBytes(config), as: UTF8.self)
        let parsed = try ModelServerConfigFile.parse(text, file: config)
        guard let entry = parsed.modelConfigList.config.first(where: { $0.name == model }) else { return }
        policy = entry.modelVersionPolicy.specific.versions
        labels = entry.versionLabels
    }

    /// What must hold at every moment: each folder is complete (its marker lists exactly its
    /// files with their sizes); the config names only versions whose folders are there; each
    /// label points at a version the policy names.
    func problems(base: String) -> [String] {
        var found: [String] = []
        for (number, name) in folders {
            // A folder leaves by one rename (`ServingBaseFolder.remove`): one gone between the
            // listing and this look has left whole, and is no partial version.
            if let problem = ServingState.incomplete(base + "/" + name), FileManager.default.fileExists(atPath: base + "/" + name) {
                found.append("folder \(name): \(problem)")
            }
            if name != String(number) { found.append("folder \(name) is not named \(number)") }
        }
        for version in policy ?? [] where folders[version] == nil { found.append("the config names version \(version), which has no folder") }
        for (label, version) in labels where !(policy ?? []).contains(version) {
            found.append("label \(label) points at \(version), which the policy does not name")
        }
        return found
    }

    /// nil when the folder holds exactly what its marker lists, else what is wrong.
    static func incomplete(_ folder: String) -> String? {
        guard let data = FileManager.default.contents(atPath: folder + "/.registry-version.json"),
              let marker = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let files = marker["files"] as? [[String: Any]] else { return "no marker" }
        guard let tree = try? Tree(folder) else { return "cannot list" }
        let listed = Set(files.compactMap { $0["path"] as? String })
        if Set(tree.files) != listed.union([".registry-version.json"]) { return "files \(tree.files) but the marker lists \(listed.sorted())" }
        for file in files {
            let path = file["path"] as? String ?? ""
            if fileSize(folder + "/" + path) != (file["size"] as? Int64 ?? Int64(file["size"] as? Int ?? -1)) { return "\(path) has another size" }
        }
        if !FileManager.default.fileExists(atPath: folder + "/saved_model.pb") { return "no saved_model.pb" }
        return nil
    }

    var description: String { "folders \(folders.keys.sorted()), others \(others), policy \(policy ?? []), labels \(labels)" }
}

/// `registry serving sync --registry DB ARGS…`.
func servingSyncArguments(_ database: String, _ rest: [String]) -> [String] {
    ["serving", "sync", "--registry", database] + rest
}

/// Modification times (ns) of `root` and everything below it, by relative path ("" for the root).
func modificationTimes(_ root: String) throws -> [String: Int64] {
    var times: [String: Int64] = [:]
    func record(_ relative: String) {
        var info = stat()
        if lstat(root + (relative.isEmpty ? "" : "/" + relative), &info) == 0 {
            times[relative] = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        }
    }
    record("")
    let tree = try Tree(root)
    for path in tree.files + tree.folders { record(path) }
    return times
}

/// Real TensorFlow on published folders, in one Python process.
enum ServingTensorFlow {
    /// Loads each folder with TensorFlow, runs its `serving_default` signature on the
    /// `example_inputs.npz` given with it and compares the outputs with `expected_outputs.npz`
    /// when given (else checks logits and classes agree); and parses each config with
    /// `model_server_config_pb2`, returning its entries as JSON (`json_format`).
    static func check(folders: [(folder: String, inputs: String, expected: String?)], configs: [String]) throws -> (outputs: [String: String], configs: [[String: Any]]) {
        let request: [String: Any] = [
            "tool": TensorFlowOracle.tool,
            "folders": folders.map { ["folder": $0.folder, "inputs": $0.inputs, "expected": $0.expected ?? ""] },
            "configs": configs,
        ]
        let result = try TensorFlowOracle.runScript(script, [String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)])
        guard result.status == 0, let answer = try? result.json() as? [String: Any] else {
            throw TestFailure("the TensorFlow check failed: \(result.summary)")
        }
        return (answer["outputs"] as? [String: String] ?? [:], answer["configs"] as? [[String: Any]] ?? [])
    }

    static let script = """
        import json, os, sys
        import numpy as np
        request = json.loads(sys.argv[1])
        sys.path.insert(0, os.path.dirname(request["tool"]))
        import tfcheck
        from google.protobuf import text_format, json_format
        from tensorflow_serving.config import model_server_config_pb2 as msc
        outputs = {}
        for item in request["folders"]:
            try:
                arrays = dict(np.load(item["inputs"]))
                result, _ = tfcheck.run_signature(item["folder"], ["serve"], "serving_default", arrays)
                if item["expected"]:
                    expected = np.load(item["expected"])
                    assert sorted(expected.files) == sorted(result), (expected.files, sorted(result))
                    for k in expected.files:
                        assert np.allclose(result[k], expected[k], rtol=1e-5, atol=1e-6), k
                    outputs[item["folder"]] = "same as expected"
                else:
                    logits = result["logits"]
                    assert np.all(np.isfinite(logits)), "logits not finite"
                    assert (result["classes"] == np.argmax(logits, axis=1)).all(), "classes are not argmax(logits)"
                    outputs[item["folder"]] = "logits %s" % (list(logits.shape),)
            except Exception as e:
                outputs[item["folder"]] = "FAILED: %s" % (e,)
        configs = []
        for path in request["configs"]:
            config = text_format.Parse(open(path).read(), msc.ModelServerConfig())
            configs.append(json_format.MessageToDict(config, preserving_proto_field_name=True))
        print(json.dumps({"outputs": outputs, "configs": configs}))
        """
}

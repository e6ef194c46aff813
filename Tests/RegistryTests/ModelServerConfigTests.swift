import Foundation
import Testing
import TestSupport
@testable import RegistryFormat

/// TensorFlow Serving's `--model_config_file` (`ModelServerConfigFile`): texts written by
/// tensorflow-serving-api 2.21's own protos are read, one entry replaced, the others kept, and
/// what we write is read back by those protos; a text that does not parse is refused with the
/// line where it goes wrong, the same line Python protobuf's `text_format.Parse` names; the
/// names TF Serving reads as versions.
@Suite struct ModelServerConfigTests {
    /// Python protobuf with tensorflow-serving-api's `model_server_config_pb2`, on `arguments`.
    static func python(_ source: String, _ arguments: [String]) throws -> ProcessResult {
        try TensorFlowOracle.runScript("""
            import sys, json
            from google.protobuf import text_format, json_format
            from tensorflow_serving.config import model_server_config_pb2 as msc
            """ + "\n" + source, arguments)
    }

    // MARK: - Round trip through TF Serving's own protos

    @Test(.enabled(if: TensorFlowOracle.enabled))
    func entryReplacedOthersKeptAndTFServingReadsTheResult() throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path + "/models.config"
            // Python writes a config of two models, one with logging and labels; we replace one entry.
            let written = try Self.python("""
                c = msc.ModelServerConfig()
                a = c.model_config_list.config.add(name="other", base_path="/srv/other", model_platform="tensorflow")
                a.model_version_policy.latest.num_versions = 2
                a.logging_config.sampling_config.sampling_rate = 0.25
                a.logging_config.log_collector_config.type = "file"
                t = a.logging_config.sampling_config.per_task_sampling_configs.add(dc="eu", task_index=0, sampling_rate=0.5)
                b = c.model_config_list.config.add(name="seed", base_path="/old", model_type=1)
                b.version_labels["stale"] = 9
                open(sys.argv[1], "w").write("# hand-written\\n" + text_format.MessageToString(c))
                """, [path])
            try #require(written.status == 0, "\(written.summary)")
            var file = try ModelServerConfigFile.read(path)
            #expect(file.modified != nil)
            var entry = try #require(try file.entry(named: "seed"))
            #expect(entry.basePath == "/old" && entry.versionLabels == ["stale": 9] && entry.modelType == .tensorflow)
            entry.basePath = "/srv/seed"
            entry.modelType = .unspecified
            entry.modelPlatform = "tensorflow"
            entry.modelVersionPolicy.specific.versions = [1, 3]
            entry.versionLabels = ["prod": 1, "canary": 3]
            file.setEntry(entry)
            try file.write()

            let read = try Self.python("""
                c = text_format.Parse(open(sys.argv[1]).read(), msc.ModelServerConfig())
                print(json.dumps(json_format.MessageToDict(c, preserving_proto_field_name=True), sort_keys=True))
                """, [path])
            try #require(read.status == 0, "\(read.summary)")
            let dict = try #require(try read.json() as? [String: Any])
            let configs = try #require((dict["model_config_list"] as? [String: Any])?["config"] as? [[String: Any]])
            #expect(configs.count == 2)
            let other = configs[0]
            #expect(other["name"] as? String == "other" && other["base_path"] as? String == "/srv/other")
            #expect((other["model_version_policy"] as? [String: Any])?["latest"] as? [String: Int] == ["num_versions": 2])
            let logging = try #require(other["logging_config"] as? [String: Any])
            let sampling = try #require(logging["sampling_config"] as? [String: Any])
            #expect(sampling["sampling_rate"] as? Double == 0.25)
            #expect((sampling["per_task_sampling_configs"] as? [[String: Any]])?.first?["dc"] as? String == "eu")
            #expect((logging["log_collector_config"] as? [String: String]) == ["type": "file"])
            let seed = configs[1]
            #expect(seed["name"] as? String == "seed" && seed["base_path"] as? String == "/srv/seed")
            #expect(seed["model_platform"] as? String == "tensorflow" && seed["model_type"] == nil)
            #expect(((seed["model_version_policy"] as? [String: Any])?["specific"] as? [String: Any])?["versions"] as? [String] == ["1", "3"])
            #expect(seed["version_labels"] as? [String: String] == ["prod": "1", "canary": "3"])
        }
    }

    // MARK: - Refused with the failing line

    /// (config text, the line at fault). Each is refused by Python's `text_format.Parse` too.
    static let badTexts: [(String, Int)] = [
        ("model_config_list {\n  config {\n    name: \"a\"\n    bogus: 1\n  }\n}\n", 4),
        ("model_config_list {\n  config {\n    name: \"a\"\n    model_version_policy {\n      specific {\n        versions: 1x\n      }\n    }\n  }\n}\n", 6),
        ("model_config_list { config { name: \"a\" } }\nmodel_config_list { config { name: \"b\" model_type: FOO } }\n", 2),
        ("model_config_list {\n  config {\n    name: \"a\"\n    version_labels { key: \"prod\" value: \"one\" }\n  }\n}\n", 4),
        ("# a comment\nmodel_config_list {\n  config {\n    name: \"a\"\n    base_path: \"/x\"\n  }\n}\ncustom_model_config {\n}\n", 8),
        ("model_config_list {\n  config {\n    name: \"a\" base_path: \"/b\"\n    name \"c\"\n  }\n}\n", 4),
        ("model_config_list {\n  config { name: 'a' }\n  config { name: 'b' }\n  }\n}\n", 5),
        ("model_config_list {\n  config {\n    name: \"a\n  }\n}\n", 3),
        ("model_config_list {\n  config {\n    version_labels: [{ key: \"a\" value: 1 }, { key: \"b\" value: x }]\n  }\n}\n", 3),
    ]

    /// The error parsing `text` throws, nil when it parses.
    static func refusal(_ text: String) -> FormatError? {
        do {
            _ = try ModelServerConfigFile.parse(text, file: "models.config")
            return nil
        } catch {
            return error
        }
    }

    @Test func refusedWithTheLineAtFault() throws {
        for (text, line) in Self.badTexts {
            let error = try #require(Self.refusal(text), "parsed: \(text)")
            guard case let .invalidText(file, found, detail) = error else {
                Issue.record("\(error)")
                continue
            }
            #expect(file == "models.config")
            #expect(found == line, "\(error) for:\n\(text)")
            #expect(detail.hasPrefix("not a ModelServerConfig: "), "\(detail)")
            #expect(error.code == "text_format_invalid" && error.category == .invalidInput)
            #expect(error.description.hasSuffix("correct line \(line) and try again"), "\(error)")
        }
    }

    @Test(.enabled(if: TensorFlowOracle.enabled))
    func pythonProtobufNamesTheSameLines() throws {
        let texts = try JSONSerialization.data(withJSONObject: Self.badTexts.map(\.0))
        let result = try Self.python("""
            lines = []
            for text in json.loads(sys.argv[1]):
                try:
                    text_format.Parse(text, msc.ModelServerConfig())
                    lines.append(0)
                except text_format.ParseError as e:
                    lines.append(e.GetLine())
            print(json.dumps(lines))
            """, [String(decoding: texts, as: UTF8.self)])
        try #require(result.status == 0, "\(result.summary)")
        #expect(try result.json() as? [Int] == Self.badTexts.map(\.1))
    }

    @Test func lexicalFaultsAndUnclosedBlocks() throws {
        func fault(_ text: String) -> (Int, String)? {
            guard case let .invalidText(_, line, detail)? = Self.refusal(text) else { return nil }
            return (line, detail)
        }
        let unclosed = fault("model_config_list {\n  config {\n    name: \"a\"\n  }\n")
        #expect(unclosed?.0 == 1 && unclosed?.1.contains("the block opened here is never closed") == true, "\(String(describing: unclosed))")
        let stray = fault("model_config_list {\n}\n}\n")
        #expect(stray?.0 == 3 && stray?.1.contains("'}' closes nothing that is open") == true, "\(String(describing: stray))")
        let trailingName = fault("model_config_list {\n  config { name: \"a\" }\n}\nmodel_config_list\n")
        #expect(trailingName?.0 == 4, "\(String(describing: trailingName))")
    }

    @Test func fileLevelRefusals() throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path + "/models.config"
            #expect(try ModelServerConfigFile.read(path).modified == nil)  // missing: an empty config
            try Data([0x6d, 0x6f, 0x64, 0x0a, 0xff, 0xfe, 0x0a]).write(to: URL(fileURLWithPath: path))
            #expect(throws: FormatError.invalidText(file: path, line: 2, detail: "not UTF-8 text")) { try ModelServerConfigFile.read(path) }
            try Data("custom_model_config { }\n".utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: FormatError.unsupported(file: path, detail: "holds a custom_model_config, not a model_config_list this tool can update")) {
                try ModelServerConfigFile.read(path).entry(named: "a")
            }
            try Data("model_config_list { config { name: 'a' } config { name: 'a' } }\n".utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: FormatError.corrupt(file: path, entry: "a", detail: "the model is listed 2 times (TensorFlow Serving refuses that too)")) {
                try ModelServerConfigFile.read(path).entry(named: "a")
            }
            let link = tmp.path + "/link.config"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
            #expect(throws: FormatError.self) { try ModelServerConfigFile.read(link) }
        }
    }

    // MARK: - Version folder names

    @Test func namesTFServingReadsAsVersions() {
        let cases: [(String, Int64?)] = [
            ("1", 1), ("42", 42), ("007", 7), (" 3 ", 3), ("+5", 5), ("-2", -2), ("9223372036854775807", .max),
            ("9223372036854775808", nil), ("", nil), (".3.registry-host-12-34", nil), ("3a", nil), ("1.0", nil), ("README", nil), ("٣", nil),
        ]
        for (name, number) in cases { #expect(ServingVersionName.number(name) == number, "\(name)") }
    }
}

import Foundation
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// Damaged files and unsafe layouts of a model or checkpoint folder: a truncated
/// `saved_model.pb`, a garbage `checkpoint` state file, symlinks, special files and escaping
/// relative paths are refused with a typed `FormatError` naming the offending file.
///
/// Real TensorFlow-written fixture bytes are damaged in memory or in a temporary copy; the
/// fixtures themselves are never written to. Helpers: `Support/BadInputSupport.swift`.
@Suite struct LayoutBadInputTests: BadInputSuite {
    // MARK: 10. saved_model.pb truncated inside a MetaGraphDef

    @Test func truncatedSavedModelNamesTheFile() throws {
        let original = try fileBytes(Self.seedGraphPath)
        let name = "cut/saved_model.pb"
        let model = try SavedModelFile.decode(binary: original, file: name)
        let graph = try #require(model.metaGraphs.first).bytes

        // Cut the file: the MetaGraphDef's length runs past the end.
        for fraction in [0.01, 0.25, 0.5, 0.75, 0.999] {
            let cut = Array(original.prefix(Int(Double(original.count) * fraction)))
            let error = try #require(throws: FormatError.self, "cut at \(fraction)") {
                try SavedModelFile.decode(binary: cut, file: name)
            }
            #expect(error.kind == .truncated && error.description.contains(name), "cut at \(fraction): \(error)")
        }
        // Cut the MetaGraphDef but keep the framing consistent: the graph itself fails to parse.
        for fraction in [0.3, 0.5, 0.9] {
            let cutGraph = Array(graph.prefix(Int(Double(graph.count) * fraction)))
            let bytes = SavedModelFile.encodeBinary(schemaVersion: 1, metaGraphs: [cutGraph])
            let error = try #require(throws: FormatError.self, "graph cut at \(fraction)") {
                try SavedModelFile.decode(binary: bytes, file: name)
            }
            #expect(error.kind == .corrupt && error.description.contains(name), "graph cut at \(fraction): \(error)")
        }
        // An overlong varint is corruption, not truncation; a group wire type is not allowed.
        let overlong: [UInt8] = [0x08] + [UInt8](repeating: 0xff, count: 10) + [0x01]
        let overlongError = try #require(throws: FormatError.self) { try SavedModelFile.decode(binary: overlong, file: name) }
        #expect(overlongError.kind == .corrupt && overlongError.description.contains(name), "\(overlongError)")
        let group: [UInt8] = [0x08, 0x01, 0x1b]
        let groupError = try #require(throws: FormatError.self) { try SavedModelFile.decode(binary: group, file: name) }
        #expect(groupError.kind == .corrupt && groupError.description.contains(name), "\(groupError)")
        let future: [UInt8] = [0x08, 0x02]
        let futureError = try #require(throws: FormatError.self) { try SavedModelFile.decode(binary: future, file: name) }
        #expect(futureError.kind == .unsupported && futureError.description.contains(name), "\(futureError)")
        let text = try #require(throws: FormatError.self) {
            try SavedModelFile.decode(text: Array("meta_graphs { {{ ".utf8), file: "x/saved_model.pbtxt")
        }
        #expect(text.kind == .corrupt && text.description.contains("x/saved_model.pbtxt"), "\(text)")

        // Through the folder API: the error names the file inside the folder.
        try withTemporaryDirectory { tmp in
            try FileSystem.write(Array(original.prefix(original.count / 2)), to: tmp.path + "/saved_model.pb")
            let folderError = try #require(throws: FormatError.self) { try SavedModelDirectory.open(tmp.path) }
            #expect(folderError.kind == .truncated && folderError.description.contains(tmp.path + "/saved_model.pb"), "\(folderError)")
        }
    }

    // MARK: 11. Garbage checkpoint state

    @Test func garbageCheckpointStateIsCorrupt() throws {
        let name = "ckpt/checkpoint"
        let real = try fileBytes(Fixtures.path("saver_checkpoints/plain/checkpoint"))
        #expect(throws: Never.self) { try CheckpointState.parse(real, file: name) }
        let cases: [(String, [UInt8])] = [
            ("garbage text", Array("this is not a checkpoint state }{ :: \"".utf8)),
            ("cut inside a quoted path", Array(real.prefix(30))),
            ("unknown field", Array("model_checkpoint_path: \"a\"\nbogus_field: 3\n".utf8)),
            ("wrong type", Array("model_checkpoint_path: 17\n".utf8)),
            ("not UTF-8", [0x6d, 0xff, 0xfe, 0x00, 0xc3]),
            ("binary fixture bytes", Array(try fileBytes(Self.seedIndexPath).prefix(200))),
        ]
        for (what, bytes) in cases {
            let error = try #require(throws: FormatError.self, "\(what)") { try CheckpointState.parse(bytes, file: name) }
            guard case let .corrupt(file, _, _) = error else {
                Issue.record("\(what): expected corrupt, got \(error)")
                continue
            }
            #expect(file == name && error.description.contains(name))
        }
        let oversized = try #require(throws: FormatError.self) {
            try CheckpointState.parse([UInt8](repeating: 0x20, count: (16 << 20) + 1), file: name)
        }
        #expect(oversized.kind == .unsupported && oversized.description.contains(name))

        // Through the folder API.
        try withTemporaryDirectory { tmp in
            try FileSystem.write(Array("garbage {".utf8), to: tmp.path + "/checkpoint")
            let folderError = try #require(throws: FormatError.self) { try CheckpointFolder.open(tmp.path) }
            #expect(folderError.kind == .corrupt && folderError.description.contains(tmp.path + "/checkpoint"), "\(folderError)")
        }
    }

    // MARK: 12. Unsafe paths

    @Test func symlinksAndSpecialFilesAreRefused() throws {
        let source = Fixtures.path("seed_mlp_training")
        for layout in ["link at the top", "link inside variables", "fifo"] {
            try withTemporaryDirectory { tmp in
                let root = tmp.path + "/model"
                try FileSystem.createDirectory(root)
                try FileSystem.createDirectory(root + "/variables")
                try FileSystem.copyFile(from: source + "/saved_model.pb", to: root + "/saved_model.pb")
                try FileSystem.copyFile(from: Self.seedIndexPath, to: root + "/variables/variables.index")
                try FileSystem.copyFile(from: Self.seedDataPath, to: root + "/variables/variables.data-00000-of-00001")
                #expect(throws: Never.self, "\(layout): the clean copy opens") { try SavedModelDirectory.open(root) }
                let offender: String
                switch layout {
                case "link at the top":
                    offender = root + "/passwd"
                    try FileManager.default.createSymbolicLink(atPath: offender, withDestinationPath: "/etc/passwd")
                case "link inside variables":
                    offender = root + "/variables/variables.data-00000-of-00002"
                    try FileManager.default.createSymbolicLink(atPath: offender, withDestinationPath: Self.seedDataPath)
                default:
                    offender = root + "/pipe"
                    #expect(mkfifo(offender, 0o644) == 0)
                }
                let error = try #require(throws: FormatError.self, "\(layout)") { try SavedModelDirectory.open(root) }
                guard case let .unsafePath(file, _) = error else {
                    Issue.record("\(layout): expected unsafePath, got \(error)")
                    return
                }
                #expect(file == offender && error.description.contains(offender), "\(layout): \(error)")
            }
        }
    }

    @Test func relativePathValidationRefusesEscapes() throws {
        let name = "registry.db"
        let refused = ["../x", "a/../../x", "..", "/etc/passwd", "a//b", "a/./b", "./a", ".", "a/", "", "a\u{0}b",
                       "variables/\u{0}", "a\\b", "..\\x"]
        for path in refused {
            let error = try #require(throws: FormatError.self, "\(path.debugDescription)") { try RelativePath.validate(path, file: name) }
            guard case let .unsafePath(file, _) = error else {
                Issue.record("\(path.debugDescription): expected unsafePath, got \(error)")
                continue
            }
            #expect(file == name && error.description.contains(name))
        }
        for path in ["variables/variables.index", "assets/x y.txt", "..foo", "a/b.", "assets.extra/..hidden", "名前/ファイル"] {
            #expect(throws: Never.self, "\(path)") { try RelativePath.validate(path, file: name) }
        }
    }
}

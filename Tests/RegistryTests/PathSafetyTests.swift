import Foundation
import GRDB
import SwiftProtobuf
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// Names from files and from the database never lead a read or a write outside its folder.
@Suite struct PathSafetyTests {
    /// A copy of `seed_mlp_train_and_serve` whose {serve} graph declares `asset` instead of vocab.txt.
    static func modelDeclaringAsset(_ asset: String, in folder: String) throws -> String {
        let target = folder + "/model"
        try FileManager.default.copyItem(atPath: Fixtures.path("seed_mlp_train_and_serve"), toPath: target)
        let model = try SavedModelDirectory.open(target)
        var graphs = model.graph.metaGraphs.map(\.bytes)
        var serve = model.graph.metaGraphs[1].proto
        for (i, entry) in serve.collectionDef.enumerated() where entry.key == "saved_model_assets" {
            guard case .anyList(var list) = entry.value.kind else { continue }
            var assetDef = try Tensorflow_AssetFileDef(serializedBytes: list.value[0].value)
            assetDef.filename = asset
            list.value[0].value = try assetDef.serializedData()
            serve.collectionDef[i].value.kind = .anyList(list)
        }
        graphs[1] = try serve.serializedBytes()
        try Data(SavedModelFile.encodeBinary(schemaVersion: 1, metaGraphs: graphs)).write(to: URL(fileURLWithPath: target + "/saved_model.pb"))
        return target
    }

    @Test(arguments: ["../../etc/passwd", "/etc/passwd", "a/../../b", "vocab\u{0}.txt"])
    func assetNamesThatEscapeAreRefusedAtPush(asset: String) throws {
        try withTemporaryDirectory { tmp in
            let folder = try Self.modelDeclaringAsset(asset, in: tmp.path)
            let registry = try ModelRegistry(path: tmp.path + "/registry.db")
            do {
                _ = try registry.push(savedModel: folder, model: "m")
                Issue.record("a model declaring the asset \(asset.debugDescription) was pushed")
            } catch FormatError.unsafePath(let file, let detail) {
                #expect(file.hasSuffix("saved_model.pb"))
                #expect(detail.contains("outside assets/"))
            }
            #expect(try registry.list().isEmpty)
        }
    }

    /// A text graph's `AssetFileDef`s are `Any` expansions (`[type.googleapis.com/tensorflow.AssetFileDef] { filename: … }`),
    /// which the text parse used to drop: their names are checked like packed ones (issue 21, item 10).
    @Test(.enabled(if: TensorFlowOracle.enabled, "needs the TensorFlow venv (make test)"),
          arguments: ["../../../etc/shadow", "/etc/shadow", "vocab.txt"])
    func expandedAssetNamesInATextGraphAreChecked(asset: String) throws {
        try withTemporaryDirectory { tmp in
            let folder = try Self.modelDeclaringAsset(asset, in: tmp.path)
            try TensorFlowOracle.convertToTextGraph(folder, scratch: tmp.path)
            let text = try String(contentsOfFile: folder + "/saved_model.pbtxt", encoding: .utf8)
            #expect(text.contains("[type.googleapis.com/tensorflow.AssetFileDef] {"), "TensorFlow wrote the asset packed")
            let registry = try ModelRegistry(path: tmp.path + "/registry.db")
            guard asset != "vocab.txt" else {
                #expect(try SavedModelDirectory.open(folder).graph.metaGraphs.map(\.declaredAssets) == [[], ["vocab.txt"]])
                #expect(try registry.push(savedModel: folder, model: "m").version == 1)
                return
            }
            do {
                _ = try registry.push(savedModel: folder, model: "m")
                Issue.record("a text graph declaring the asset \(asset) was pushed")
            } catch FormatError.unsafePath(let file, let detail) {
                #expect(file.hasSuffix("saved_model.pbtxt") && detail.contains("'\(asset)', which would resolve outside assets/"), "\(detail)")
            }
            #expect(try registry.list().isEmpty)
        }
    }

    /// The same, without TensorFlow: expansions as its text format spells them, spaced or not,
    /// are packed for the check; one that does not parse is refused (its name could not be checked).
    @Test func expandedAssetFileDefsArePackedForTheCheck() throws {
        func graph(_ expansion: String) -> [UInt8] {
            Array("""
            saved_model_schema_version: 1
            meta_graphs {
              meta_info_def { tags: "serve" }
              collection_def {
                key: "saved_model_assets"
                value { any_list { value { \(expansion) } } }
              }
            }
            """.utf8)
        }
        let tensorFlows = #"[type.googleapis.com/tensorflow.AssetFileDef] { tensor_info { name: "vocab_filename:0" } filename: "../../../etc/shadow" }"#
        let spaced = #"[ type.googleapis.com / tensorflow.AssetFileDef ] < filename: "/etc/shadow" >"#
        for (expansion, name) in [(tensorFlows, "../../../etc/shadow"), (spaced, "/etc/shadow")] {
            let file = try SavedModelFile.decode(text: graph(expansion), file: "saved_model.pbtxt")
            #expect(file.metaGraphs.map(\.declaredAssets) == [[name]])
            #expect(throws: FormatError.self) { try file.metaGraphs[0].validateAssets(file: "saved_model.pbtxt") }
        }
        let broken = #"[type.googleapis.com/tensorflow.AssetFileDef] { filename: 12 }"#
        let error = #expect(throws: FormatError.self) { try SavedModelFile.decode(text: graph(broken), file: "saved_model.pbtxt") }
        #expect(error?.description.contains("cannot be checked") == true, "\(String(describing: error))")
        // Other expansions are still dropped, as before.
        let other = #"[type.googleapis.com/tensorflow.SomethingElse] { anything: "goes" }"#
        #expect(try SavedModelFile.decode(text: graph(other), file: "saved_model.pbtxt").metaGraphs.map(\.declaredAssets) == [[]])
    }

    @Test func theDeclaredAssetsOfAFixtureAreFound() throws {
        let model = try SavedModelDirectory.open(Fixtures.path("seed_mlp_train_and_serve"))
        // Only the {serve} graph declares vocab.txt (through the TF1 saved_model_assets collection).
        #expect(model.graph.metaGraphs.map(\.declaredAssets) == [[], ["vocab.txt"]])
    }

    /// A stored file name tampered with in the database cannot make pull write outside DIR.
    @Test(arguments: ["../escaped.txt", "/tmp/escaped-by-registry.txt", "assets/../../escaped.txt"])
    func pullNeverWritesOutsideItsTarget(path: String) throws {
        try withRegistry { registry, tmp in
            _ = try registry.push(savedModel: Fixtures.path("seed_mlp_train_and_serve"), model: "m")
            let queue = try DatabaseQueue(path: tmp.path + "/registry.db")
            try queue.write { db in
                try db.execute(sql: "UPDATE files SET path = ? WHERE path = 'assets/vocab.txt'", arguments: [path])
            }
            try FileManager.default.createDirectory(atPath: tmp.path + "/out", withIntermediateDirectories: false)
            do {
                _ = try registry.pull(VersionReference(model: "m"), to: tmp.path + "/out/model")
                Issue.record("pull wrote a file stored as \(path.debugDescription)")
            } catch FormatError.unsafePath(_, let detail) {
                #expect(detail.contains(path) || detail.contains("absolute") || detail.contains(".."))
            }
            #expect(!FileManager.default.fileExists(atPath: tmp.path + "/out/model"))
            #expect(!FileManager.default.fileExists(atPath: tmp.path + "/out/escaped.txt"))
            #expect(!FileManager.default.fileExists(atPath: tmp.path + "/escaped.txt"))
            #expect(!FileManager.default.fileExists(atPath: "/tmp/escaped-by-registry.txt"))
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: tmp.path + "/out")
            #expect(leftovers.isEmpty, "staging folders left behind: \(leftovers)")
        }
    }
}

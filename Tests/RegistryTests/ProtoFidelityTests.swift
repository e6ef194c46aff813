import Foundation
import SwiftProtobuf
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// What our protobuf subset does not model still comes back out unchanged.
@Suite struct ProtoFidelityTests {
    /// A field TensorFlow may add one day (number 15, varint 7) rides along in an index entry.
    @Test func unknownEntryFieldsSurviveDecodeAndEncode() throws {
        let reader = try BundleReader(prefix: Fixtures.path("seed_mlp_training") + "/variables/variables")
        var entries = reader.index.entries
        let unknown: [UInt8] = [0x78, 0x07]  // field 15, wire type 0, value 7
        let known = entries[0].encodedValue
        entries[0].unknownFields = Data(unknown)
        let encoded = BundleIndex(header: reader.index.header, entries: entries).encode()
        let decoded = try BundleIndex.decode(encoded, file: "test.index")
        #expect(decoded.entries[0].unknownFields == Data(unknown))
        #expect(decoded.entries[0].encodedValue == known + unknown)
        #expect(decoded.entries.dropFirst().elementsEqual(reader.index.entries.dropFirst()))
    }

    /// Every MetaGraphDef of every fixture parses and re-serializes to its own bytes, so
    /// nothing TensorFlow wrote is lost by the subset.
    @Test(arguments: Fixtures.savedModelCases)
    func metaGraphsReserializeByteForByte(name: String) throws {
        let model = try SavedModelDirectory.open(Fixtures.path(name))
        for graph in model.graph.metaGraphs {
            let same = try graph.proto.serializedBytes() as [UInt8] == graph.bytes
            #expect(same, "\(name) {\(graph.tagSet)}")
        }
    }

    /// A `saved_model.pbtxt` written by TensorFlow's Python text format is read, pushed and
    /// pulled back verbatim, and TensorFlow loads the pulled copy.
    @Test(.enabled(if: TensorFlowOracle.enabled, "needs the TensorFlow venv (make test)"))
    func textFormatSavedModelRoundTrip() throws {
        try withTemporaryDirectory { tmp in
            let source = tmp.path + "/text"
            try FileManager.default.copyItem(atPath: Fixtures.path("seed_mlp_train_and_serve"), toPath: source)
            try TensorFlowOracle.convertToTextGraph(source, scratch: tmp.path)

            let model = try SavedModelDirectory.open(source)
            #expect(model.graph.fileName == SavedModelFile.textName)
            #expect(model.graph.metaGraphs.map(\.tagSet.description) == ["train", "serve"])
            let original = try SavedModelDirectory.open(Fixtures.path("seed_mlp_train_and_serve"))
            for (text, binary) in zip(model.graph.metaGraphs, original.graph.metaGraphs) {
                // What the registry indexes comes through the text form; opaque fields do not.
                #expect(text.proto.graphDef.node.map(\.name) == binary.proto.graphDef.node.map(\.name))
                #expect(text.proto.graphDef.node.map(\.input) == binary.proto.graphDef.node.map(\.input))
                // Python's text format writes map entries sorted by key, the binary in upb's order.
                let attrs = { (graph: MetaGraph) in graph.proto.graphDef.node.map { Dictionary(uniqueKeysWithValues: $0.attr.map { ($0.key, $0.value) }) } }
                #expect(attrs(text) == attrs(binary))
                #expect(text.proto.signatureDef.map(\.key) == binary.proto.signatureDef.map(\.key))
                #expect(text.proto.signatureDef.map(\.value.methodName) == binary.proto.signatureDef.map(\.value.methodName))
                #expect(text.proto.collectionDef.map(\.key) == binary.proto.collectionDef.map(\.key))
                #expect(text.proto.saverDef == binary.proto.saverDef)
            }
            let registry = try ModelRegistry(path: tmp.path + "/registry.db")
            _ = try registry.push(savedModel: source, model: "text")
            _ = try registry.pull(VersionReference(model: "text"), to: tmp.path + "/out")
            let same = try fileBytes(source + "/saved_model.pbtxt") == fileBytes(tmp.path + "/out/saved_model.pbtxt")
            #expect(same)
            let check = try TensorFlowOracle.run(["check", tmp.path + "/out"])
            #expect(check.status == 0, "\(check.stderr.suffix(1500))")
            // A subset cannot be cut from the text form without losing what it does not model.
            #expect(throws: InterchangeError.self) {
                try registry.pull(VersionReference(model: "text"), to: tmp.path + "/serve", tagSets: [TagSet(["serve"])])
            }
            #expect(!FileManager.default.fileExists(atPath: tmp.path + "/serve"))
        }
    }
}

import Foundation
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// The text `checkpoint` state file (spec §6). Expected texts are TF's own files, the spec's
/// example, and outputs of Python protobuf 7.36.2 `text_format.MessageToString` on
/// `tensorflow.python.training.checkpoint_state_pb2.CheckpointState` (the TF 2.21 venv),
/// pasted in literally.
@Suite struct CheckpointStateTests {
    // MARK: - TF's files

    @Test(arguments: ["saver_checkpoints/plain", "saver_checkpoints/sharded"])
    func fixtureStateFileRoundTrips(folder: String) throws {
        let path = Fixtures.path(folder) + "/" + CheckpointState.fileName
        let bytes = try fileBytes(path)
        let state = try CheckpointState.parse(bytes, file: path)
        #expect(state.modelCheckpointPath == "model.ckpt-40")
        #expect(state.allModelCheckpointPaths == ["model.ckpt-20", "model.ckpt-30", "model.ckpt-40"])
        #expect(state.allModelCheckpointTimestamps.isEmpty)
        #expect(state.lastPreservedTimestamp == 0)
        #expect(Array(state.text.utf8) == bytes)

        let manifest = Fixtures.checkpointManifest(folder)
        let manifestText = try #require((manifest["state"] as? [String: Any])?["state_file_text"] as? String)
        #expect(state.text == manifestText)
        #expect(Array(manifestText.utf8) == bytes)
    }

    // MARK: - Spec §6.2: tf.train.CheckpointManager's state file

    static let managerText = """
        model_checkpoint_path: "ckpt-3"
        all_model_checkpoint_paths: "ckpt-2"
        all_model_checkpoint_paths: "ckpt-3"
        all_model_checkpoint_timestamps: 1795534872.4613247
        all_model_checkpoint_timestamps: 1795534872.4733303
        last_preserved_timestamp: 1795534871.4107358

        """

    @Test func managerExampleRoundTrips() throws {
        let state = try CheckpointState.parse(Array(Self.managerText.utf8), file: "checkpoint")
        #expect(state == CheckpointState(modelCheckpointPath: "ckpt-3", allModelCheckpointPaths: ["ckpt-2", "ckpt-3"],
                                         allModelCheckpointTimestamps: [1795534872.4613247, 1795534872.4733303],
                                         lastPreservedTimestamp: 1795534871.4107358))
        #expect(state.text == Self.managerText)
    }

    // MARK: - Escaping and numbers, against Python's text_format

    /// (message as built in Python, `text_format.MessageToString(message)` verbatim).
    static let pythonCases: [(CheckpointState, String)] = [
        // CheckpointState(model_checkpoint_path='q"uote', all_model_checkpoint_paths=['back\\slash'])
        (CheckpointState(modelCheckpointPath: "q\"uote", allModelCheckpointPaths: ["back\\slash"]),
         #"""
         model_checkpoint_path: "q\"uote"
         all_model_checkpoint_paths: "back\\slash"

         """#),
        // model_checkpoint_path='new\nline', all_model_checkpoint_paths=['tab\there', "apos'trophe", 'cr\rx']
        (CheckpointState(modelCheckpointPath: "new\nline", allModelCheckpointPaths: ["tab\there", "apos'trophe", "cr\rx"]),
         #"""
         model_checkpoint_path: "new\nline"
         all_model_checkpoint_paths: "tab\there"
         all_model_checkpoint_paths: "apos\'trophe"
         all_model_checkpoint_paths: "cr\rx"

         """#),
        // model_checkpoint_path='ctl\x01\x07\x08\x0b\x0c\x1b\x1f\x7fend'
        (CheckpointState(modelCheckpointPath: "ctl\u{01}\u{07}\u{08}\u{0b}\u{0c}\u{1b}\u{1f}\u{7f}end", allModelCheckpointPaths: []),
         #"""
         model_checkpoint_path: "ctl\001\007\010\013\014\033\037\177end"

         """#),
        // model_checkpoint_path='nul\x00byte?'
        (CheckpointState(modelCheckpointPath: "nul\u{0}byte?", allModelCheckpointPaths: []),
         #"""
         model_checkpoint_path: "nul\000byte?"

         """#),
        // model_checkpoint_path='caf\u00e9/\u540d/\U0001F600', all_model_checkpoint_paths=['\u00e9']
        (CheckpointState(modelCheckpointPath: "caf\u{e9}/\u{540d}/\u{1F600}", allModelCheckpointPaths: ["\u{e9}"]),
         #"""
         model_checkpoint_path: "café/名/😀"
         all_model_checkpoint_paths: "é"

         """#),
        // model_checkpoint_path='\x80\x9f\xa0\u2028\ufeff\U0010ffff': non-ASCII is never escaped, C1 controls included
        (CheckpointState(modelCheckpointPath: "\u{80}\u{9f}\u{a0}\u{2028}\u{feff}\u{10ffff}", allModelCheckpointPaths: []),
         "model_checkpoint_path: \"\u{80}\u{9f}\u{a0}\u{2028}\u{feff}\u{10ffff}\"\n"),
        // model_checkpoint_path='m', all_model_checkpoint_timestamps=[3.0, 0.1, 1e16, 1e-05, 123456789.0, 0.5],
        // last_preserved_timestamp=2.0
        (CheckpointState(modelCheckpointPath: "m", allModelCheckpointPaths: [],
                         allModelCheckpointTimestamps: [3.0, 0.1, 1e16, 1e-05, 123456789.0, 0.5], lastPreservedTimestamp: 2.0),
         #"""
         model_checkpoint_path: "m"
         all_model_checkpoint_timestamps: 3.0
         all_model_checkpoint_timestamps: 0.1
         all_model_checkpoint_timestamps: 1e+16
         all_model_checkpoint_timestamps: 1e-05
         all_model_checkpoint_timestamps: 123456789.0
         all_model_checkpoint_timestamps: 0.5
         last_preserved_timestamp: 2.0

         """#),
        // The spec §6.2 values, through Python as well.
        (CheckpointState(modelCheckpointPath: "ckpt-3", allModelCheckpointPaths: ["ckpt-2", "ckpt-3"],
                         allModelCheckpointTimestamps: [1795534872.4613247, 1795534872.4733303],
                         lastPreservedTimestamp: 1795534871.4107358),
         managerText),
    ]

    @Test func textMatchesPython() {
        for (state, python) in Self.pythonCases {
            #expect(python.hasSuffix("\n"))
            #expect(state.text == python)
        }
    }

    @Test func pythonTextParsesBack() throws {
        for (state, python) in Self.pythonCases {
            #expect(try CheckpointState.parse(Array(python.utf8), file: "checkpoint") == state, "\(python)")
        }
    }

    @Test func quoteEscapesEachCharacterLikePython() {
        // Single characters, from the cases above.
        #expect(CheckpointState.quote("\"") == #""\"""#)
        #expect(CheckpointState.quote("\\") == #""\\""#)
        #expect(CheckpointState.quote("\n") == #""\n""#)
        #expect(CheckpointState.quote("\t") == #""\t""#)
        #expect(CheckpointState.quote("'") == #""\'""#)
        #expect(CheckpointState.quote("\r") == #""\r""#)
        #expect(CheckpointState.quote("\u{08}") == #""\010""#)
        #expect(CheckpointState.quote("\u{7f}") == #""\177""#)
        #expect(CheckpointState.quote("é") == "\"é\"")
    }
}

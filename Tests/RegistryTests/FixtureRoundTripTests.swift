import Foundation
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// Every case TensorFlow wrote comes back out byte for byte, with every tensor intact.
@Suite struct FixtureRoundTripTests {
    @Test func manifestIsPresent() {
        #expect(Fixtures.savedModelCases.count >= 10, "fixtures not found at \(Fixtures.root)")
        #expect(Fixtures.checkpointFolders.count == 2)
    }

    @Test(arguments: Fixtures.savedModelCases)
    func savedModelRoundTrip(name: String) throws {
        let info = Fixtures.cases[name]!
        let source = Fixtures.path(info["path"] as! String)
        let model = try SavedModelDirectory.open(source)
        try withTemporaryDirectory { tmp in
            let target = tmp.path + "/out"
            try model.write(to: target)

            let written = try DirectoryListing.scan(target)
            #expect(written == model.listing, "file and folder lists differ")
            let manifestFiles = info["files"] as! [String: [String: Any]]
            #expect(Set(manifestFiles.keys) == Set(written.files))
            for file in written.files {
                let same = try fileBytes(target + "/" + file) == fileBytes(source + "/" + file)
                #expect(same, "\(name)/\(file) differs")
            }
            // The index was re-encoded from the entries, not copied.
            if let variables = model.variables {
                let original = try fileBytes(source + "/variables/variables.index")
                let reencoded = variables.index.encode() == original
                #expect(reencoded, "\(name): re-encoded variables.index differs from TensorFlow's")
                try checkTensors(variables, against: info["variables"] as! [[String: Any]], case: name)
            }
            #expect(model.graph.metaGraphs.map(\.tagSet.tags) == (info["tag_sets"] as! [[String]]).map { TagSet($0).tags })
        }
    }

    @Test(arguments: Fixtures.checkpointFolders)
    func checkpointFolderRoundTrip(folder: String) throws {
        let info = Fixtures.checkpointManifest(folder)
        let source = Fixtures.path(info["path"] as! String)
        let checkpoints = try CheckpointFolder.open(source)
        try withTemporaryDirectory { tmp in
            try checkpoints.write(to: tmp.path + "/out")
            let written = try DirectoryListing.scan(tmp.path + "/out")
            #expect(written == checkpoints.listing)
            for file in written.files {
                let same = try fileBytes(tmp.path + "/out/" + file) == fileBytes(source + "/" + file)
                #expect(same, "\(folder)/\(file) differs")
            }
            let state = info["state"] as! [String: Any]
            #expect(checkpoints.state?.text == state["state_file_text"] as? String)
            #expect(checkpoints.latest?.prefix == info["latest"] as? String)
            let expected = info["checkpoints"] as! [String: [String: Any]]
            #expect(Set(checkpoints.checkpoints.map(\.prefix)) == Set(expected.keys))
            for checkpoint in checkpoints.checkpoints {
                #expect(checkpoint.step == Checkpoint.step(fromPrefix: checkpoint.prefix))
                #expect(checkpoint.metaGraph != nil)
                try checkTensors(checkpoint.bundle, against: expected[checkpoint.prefix]!["variables"] as! [[String: Any]],
                                 case: "\(folder)/\(checkpoint.prefix)")
            }
        }
    }

    /// Every manifest variable is present with its dtype, shape and sha256.
    private func checkTensors(_ reader: BundleReader, against variables: [[String: Any]], case name: String) throws {
        for variable in variables {
            let key = variable["key"] as! String
            let entry = try #require(reader.index.entry(named: key), "\(name): no entry \(key)")
            #expect(entry.dtype.name == variable["dtype"] as? String, "\(name)/\(key) dtype")
            #expect(entry.shape == (variable["shape"] as! [Int]).map(Int64.init), "\(name)/\(key) shape")
            let digest = try manifestDigest(entry, value: try reader.fullValue(of: entry))
            #expect(digest == variable["sha256"] as? String, "\(name)/\(key) sha256")
        }
    }
}

import Foundation
import Testing
import TestSupport
@testable import RegistryFormat

/// `PathLocation`, the one place a path is split into its folder and name: every form a user
/// types (Foundation's `deletingLastPathComponent` trapped on one-character paths).
@Suite struct PathLocationTests {
    @Test func everyFormSplits() throws {
        let cases: [(String, String, String)] = [
            ("x", ".", "x"), ("./x", ".", "x"), ("x/", ".", "x"), ("x//", ".", "x"), ("a/b", "a", "b"), ("a//b/", "a", "b"),
            ("/abs", "/", "abs"), ("/abs/dir/", "/abs", "dir"), ("with space/ü ber", "with space", "ü ber"), ("naïve", ".", "naïve"),
            ("../x", "..", "x"), ("./../x", "./..", "x"),
        ]
        for (path, folder, name) in cases {
            let location = PathLocation(path)
            #expect(location.folder == folder && location.name == name, "\(path): \(location)")
        }
        #expect(PathLocation("/").name.isEmpty && PathLocation("/").folder == "/")
        #expect(PathLocation("/abs").path == "/abs" && PathLocation("x").path == "./x" && PathLocation("x").sibling(".y") == "./.y")
    }

    /// `.` and `..` (alone or at the end) stand for real folders: their names come from the file system.
    @Test func dotsAreResolved() throws {
        try withTemporaryDirectory { tmp in
            let inner = tmp.path + "/outer/inner"
            try FileManager.default.createDirectory(atPath: inner, withIntermediateDirectories: true)
            let real = URL(fileURLWithPath: tmp.path).resolvingSymlinksInPath().path
            for (path, folder, name) in [(inner + "/.", real + "/outer", "inner"), (inner + "/..", real, "outer"),
                                         (inner + "/./..", real, "outer")] {
                let location = PathLocation(path)
                #expect(location.folder == folder && location.name == name, "\(path): \(location)")
            }
            let missing = PathLocation(tmp.path + "/nothing/here/..")
            #expect(missing.name == "nothing" && missing.folder.hasSuffix(URL(fileURLWithPath: tmp.path).lastPathComponent), "\(missing)")
        }
        let here = PathLocation(".")
        #expect(here.path == FileManager.default.currentDirectoryPath || here.path == URL(fileURLWithPath: ".").resolvingSymlinksInPath().path)
    }

    @Test func createFoldersMakesWhatIsMissingAndRemovesItAgain() throws {
        try withTemporaryDirectory { tmp in
            let created = try FileSystem.createFolders(tmp.path + "/a/b/c")
            #expect(created == [tmp.path + "/a", tmp.path + "/a/b", tmp.path + "/a/b/c"])
            #expect(try FileSystem.createFolders(tmp.path + "/a/b").isEmpty)
            _ = FileManager.default.createFile(atPath: tmp.path + "/a/keep", contents: Data())
            FileSystem.removeCreated(created)
            #expect(!FileSystem.exists(tmp.path + "/a/b") && FileSystem.exists(tmp.path + "/a/keep"), "only empty folders go")
        }
    }
}

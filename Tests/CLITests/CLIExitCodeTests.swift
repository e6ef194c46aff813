import Foundation
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// Exit statuses and one-line errors of the `registry` executable, and that a refused or
/// failed command leaves the registry and the output folder as they were.
@Suite struct CLIExitCodeTests {
    // MARK: - Exit statuses

    @Test func usageErrorsExit64() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        for arguments in [["ls", "--no-such-option"], ["push", "--bogus", "x", "y"], ["pull", "m"],  // -o is required
                          ["alias", "m@prod"],  // neither a version nor --delete
                          ["no-such-verb"]] {
            let result = try cli.run(arguments)
            #expect(result.status == 64, "registry \(arguments.joined(separator: " ")): \(result)")
        }
        // None of that created a registry.
        #expect(!FileManager.default.fileExists(atPath: cli.database))
    }

    @Test func pullingAMissingModelFailsWithOneLine() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let output = cli.tmp.path + "/out"
        try cli.ok("push", Fixtures.casePath("keras_tf2"), "k")
        let result = try cli.run("pull", "nosuchmodel", "-o", output)
        #expect(result.status == 1, "\(result)")
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("nosuchmodel"))
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: output))

        for (reference, word) in [("k:7", "7"), ("k@prod", "prod")] {
            let missing = try cli.run("pull", reference, "-o", output)
            #expect(missing.status == 1, "\(missing)")
            #expect(missing.stderr.split(separator: "\n").count == 1 && missing.stderr.contains(word), "\(missing)")
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }


    /// A push of a path that is not a folder says so in words, naming the path (Foundation's
    /// own message was "The operation could not be completed. (NSCocoaErrorDomain error 256.)").
    @Test func pushingAFileOrAMissingPathSaysWhatIsWrong() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let file = cli.tmp.path + "/saved_model.pb"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: file))
        for (path, words) in [(file, "a file, not a folder"), (cli.tmp.path + "/nowhere", "no such folder")] {
            for verb in [["push", path, "m"], ["inspect", path]] {
                let result = try cli.run(verb)
                #expect(result.status == 1 && result.stderr.contains(path) && result.stderr.contains(words), "\(verb): \(result)")
                #expect(!result.stderr.contains("NSCocoaErrorDomain") && !result.stderr.contains("could not be completed"), "\(result.stderr)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: cli.database), "a push that fails on its folder creates no registry")
    }
    @Test func pullRefusesAnExistingFolderUnlessForced() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let source = Fixtures.casePath("keras_tf2")
        try cli.ok("push", source, "k")
        let output = cli.tmp.path + "/out"
        try FileManager.default.createDirectory(atPath: output + "/keep", withIntermediateDirectories: true)
        let marker: [UInt8] = Array("do not touch\n".utf8)
        FileManager.default.createFile(atPath: output + "/marker.txt", contents: Data(marker))
        let before = try Tree(output)

        let refused = try cli.run("pull", "k", "-o", output)
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("--force"), "\(refused)")
        #expect(try Tree(output) == before)
        #expect(try fileBytes(output + "/marker.txt") == marker)
        // No staging folder is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.tmp.path).sorted() == ["out", "reg"])

        try cli.ok("pull", "k", "-o", output, "--force")
        #expect(try Tree(output) == Tree(source))
        #expect(!FileManager.default.fileExists(atPath: output + "/marker.txt"))
        let same = try fileBytes(source + "/variables/variables.data-00000-of-00001") == fileBytes(output + "/variables/variables.data-00000-of-00001")
        #expect(same)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.tmp.path).sorted() == ["out", "reg"])
    }

    // MARK: - A failed push changes nothing

    @Test func aFailedPushLeavesTheRegistryAsItWas() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("keras_tf2"), "k", "--alias", "prod")
        try cli.ok("push", Fixtures.casePath("seed_mlp_training"), "big")

        let damaged = cli.tmp.path + "/large"
        try writableCopy(of: Fixtures.casePath("large_weights"), to: damaged)
        let shard = damaged + "/variables/variables.data-00000-of-00001"
        var bytes = try fileBytes(shard)
        let offset = bytes.count * 3 / 4
        bytes[offset] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: shard))
        let index = try BundleIndex.decode(try fileBytes(damaged + "/variables/variables.index"), file: "variables.index")
        let hit = try #require(index.entries.first { Int64(offset) >= $0.offset && Int64(offset) < $0.offset + $0.size })

        let listBefore = try cli.run("ls", "--json")
        let verifyBefore = try #require(try cli.json("verify") as? [String: Any])
        let sizeBefore = fileSize(cli.database)

        let failed = try cli.run("push", damaged, "big", "--label", "x=y", "--alias", "prod")
        #expect(failed.status == 1, "\(failed)")
        let message = failed.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!message.contains("\n"), "one line: \(failed.stderr)")
        #expect(message.contains("crc32c"), "\(failed.stderr)")
        #expect(message.contains(hit.displayName), "should name entry \(hit.displayName): \(failed.stderr)")
        #expect(message.contains("variables.data-00000-of-00001"), "should name the file: \(failed.stderr)")

        let listAfter = try cli.run("ls", "--json")
        #expect(listAfter.status == 0)
        #expect(listAfter.out == listBefore.out, "ls changed:\n\(listBefore.out)\n---\n\(listAfter.out)")
        let verifyAfter = try #require(try cli.json("verify") as? [String: Any])
        #expect(verifyAfter["chunks"] as? Int == verifyBefore["chunks"] as? Int, "chunks were added by a failed push")
        #expect(verifyAfter["versions"] as? Int == 2)
        #expect((verifyAfter["problems"] as? [Any])?.isEmpty == true)
        // The bytes of the rolled-back transaction left the file no larger than a few pages.
        #expect(fileSize(cli.database) - sizeBefore < 64 * 1024, "db grew from \(sizeBefore) to \(fileSize(cli.database))")
        let history = try #require(try cli.json("history", "big") as? [[String: Any]])
        #expect(history.count == 1)
        let show = try #require(try cli.json("show", "k@prod") as? [String: Any])
        #expect((show["summary"] as? [String: Any])?["model"] as? String == "k")
        // And the same folder undamaged pushes fine afterwards.
        try cli.ok("push", Fixtures.casePath("large_weights"), "big")
    }
}

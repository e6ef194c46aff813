import Foundation
import Testing
import TestSupport

/// Reclaiming space through the `registry` executable: `prune`, `gc --dry-run` and
/// `--keep-free`, `compact` (and its refusal on a disk too small for the copy), and `ls` pages.
@Suite struct CLISpaceTests {
    static func matches(_ text: String, _ pattern: String) -> Bool {
        text.range(of: "^" + pattern + "$", options: .regularExpression) != nil
    }

    @Test func pruneKeepsWhatItsRulesSayAndThenCollects() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        for _ in 1...4 { try cli.ok("push", Fixtures.casePath("seed_mlp_training"), "m") }
        try cli.ok("alias", "m@prod", "1")

        let dry = try cli.ok("prune", "m", "--keep-last", "2", "--keep-aliased", "--dry-run")
        #expect(dry.out == "prune m would delete 1 of 4 versions: 2 (dry run, nothing changed)\nkept 3: 1 (aliased); 3-4 (last)\n", "\(dry)")
        let json = try #require(try cli.json("prune", "m", "--keep-last", "2", "--dry-run") as? [String: Any])
        #expect(Set(json.keys) == ["model", "dryRun", "deleted", "kept"], "\(json)")
        #expect(json["deleted"] as? [Int] == [1, 2])
        #expect((json["kept"] as? [[String: Any]])?.map { $0["reasons"] as? [String] ?? [] } == [["last"], ["last"]])

        let pruned = try cli.ok("prune", "m", "--keep-last", "1", "--keep-aliased")
        let lines = pruned.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(pruned)")
        #expect(lines.prefix(2) == ["pruned m: deleted 2 of 4 versions: 2-3", "kept 2: 1 (aliased); 4 (last)"], "\(pruned)")
        #expect(Self.matches(lines.last ?? "", #"removed 0 chunks and 0 contents: 0 B freed, [0-9.]+ [KMG]?i?B handed back to the file system \(registry file [0-9.]+ [KMG]iB -> [0-9.]+ [KMG]iB\)"#),
                "\(pruned)")
        let history = try #require(try cli.json("history", "m") as? [[String: Any]])
        #expect(history.compactMap { $0["version"] as? Int } == [1, 4])
        try ConcurrencyTests.expectVerified(cli, versions: 2)

        let none = try cli.run("prune", "m", "--keep-last", "0")
        #expect(none.status == 64 && none.stderr.contains("--keep-last must be 1 or more"), "\(none)")
        let badAge = try cli.run("prune", "m", "--keep-last", "1", "--older-than", "3x")
        #expect(badAge.status == 64 && badAge.stderr.contains("'3x' is not an age"), "\(badAge)")
        let missing = try cli.run("prune", "nope", "--keep-last", "1", "--json")
        #expect(missing.status == 1 && missing.stderr.contains("\"model_not_found\""), "\(missing)")
    }

    @Test func gcDryRunThenKeepFreeThenHandBack() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("large_weights"), "a")
        try cli.ok("push", Fixtures.casePath("keras_tf2"), "b")
        try cli.ok("rm", "a:1")
        let size = fileSize(cli.database)

        let dry = try cli.ok("gc", "--dry-run")
        #expect(dry.out == "gc would remove 16 chunks and 12 contents: 4.1 MiB (dry run, nothing changed)\n", "\(dry)")
        #expect(fileSize(cli.database) == size)

        let kept = try #require(try cli.json("gc", "--keep-free") as? [String: Any])
        #expect(Set(kept.keys) == ["dryRun", "contentsRemoved", "chunksRemoved", "bytesFreed", "bytesReturned", "bytesReusable",
                                   "fileBytesBefore", "fileBytesAfter", "incrementalVacuum"])
        #expect(kept["chunksRemoved"] as? Int == 16 && kept["bytesReturned"] as? Int == 0 && kept["incrementalVacuum"] as? Bool == true, "\(kept)")
        #expect((kept["bytesReusable"] as? Int ?? 0) >= (kept["bytesFreed"] as? Int ?? .max) && fileSize(cli.database) == size, "\(kept)")

        let handed = try cli.ok("gc")
        #expect(Self.matches(handed.out, #"removed 0 chunks and 0 contents: 0 B freed, 4\.[0-9] MiB handed back to the file system \(registry file 5\.[0-9] MiB -> 1\.[0-9] MiB\)\n"#),
                "\(handed)")
        #expect(fileSize(cli.database) < size - 4_000_000)
        try ConcurrencyTests.expectVerified(cli, versions: 1)
    }

    @Test func lsPrintsPages() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        for name in ["c", "a", "b"] {
            try cli.ok("push", Fixtures.casePath("seed_mlp_train_and_serve"), name)
            try cli.ok("push", Fixtures.casePath("seed_mlp_training"), name)
        }
        func names(_ arguments: String...) throws -> [String] {
            let ls = try cli.run(["ls"] + arguments + ["--json"])
            let rows = try #require(try ls.json() as? [[String: Any]], "\(ls)")
            return rows.map { "\($0["model"] as? String ?? "?"):\($0["version"] as? Int ?? -1)" }
        }
        let all = try names()
        #expect(all == ["a:1", "a:2", "b:1", "b:2", "c:1", "c:2"])
        #expect(try names("--limit", "2") == ["a:1", "a:2"])
        #expect(try names("--limit", "3", "--offset", "2") == ["b:1", "b:2", "c:1"])
        #expect(try names("--offset", "5") == ["c:2"])
        #expect(try names("--limit", "0").isEmpty)
        #expect(try names("--tag", "serve", "--limit", "2", "--offset", "1") == ["b:1", "c:1"])
        let text = try cli.ok("ls", "--limit", "1")
        #expect(text.out.split(separator: "\n").count == 2 && text.out.contains("a:1"), "\(text)")
        #expect(try cli.run("ls", "--limit", "-1").status == 64)
    }

    /// `compact` on a 48 MiB tmpfs holding a ~20 MiB registry: the copy and its headroom do not
    /// fit, so it refuses and leaves the file as it was; with room, it compacts.
    @Test(.enabled(if: getuid() == 0, "mounts a small tmpfs, which needs root"))
    func compactRefusesWhenTheDiskIsShort() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let mount = cli.tmp.path + "/small"
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        let mounted = try runProcess("/bin/mount", ["-t", "tmpfs", "-o", "size=48m", "tmpfs", mount])
        try #require(mounted.status == 0, "mount: \(mounted)")
        defer { _ = try? runProcess("/bin/umount", [mount]) }
        let database = mount + "/registry.db"
        func registry(_ arguments: String...) throws -> ProcessResult {
            try runProcess(RegistryBinary.path!, [arguments[0], "--registry", database] + arguments.dropFirst(), environment: RegistryBinary.environment)
        }
        let model = try SyntheticModel(megabytes: 24, seed: 3)
        try model.write(variant: 0, to: cli.tmp.path + "/source")
        let push = try registry("push", cli.tmp.path + "/source", "m")
        try #require(push.status == 0, "\(push)")
        let before = try fileBytes(database)

        let refused = try registry("compact", "--json")
        #expect(refused.status == 1, "\(refused)")
        let report = try JSONSerialization.jsonObject(with: Data(refused.stderr.utf8)) as? [String: Any]
        let error = try #require(report?["error"] as? [String: Any], "\(refused)")
        #expect(error["code"] as? String == "insufficient_space", "\(refused)")
        #expect((error["message"] as? String)?.contains("compact writes a compacted copy beside the registry and needs") == true, "\(error)")
        #expect((error["message"] as? String)?.contains("nothing was changed") == true)
        #expect(try fileBytes(database) == before, "the refused compact changed the registry")
        #expect(try FileManager.default.contentsOfDirectory(atPath: mount) == ["registry.db"])

        let grown = try runProcess("/bin/mount", ["-o", "remount,size=256m", mount])
        try #require(grown.status == 0, "\(grown)")
        let compacted = try registry("compact")
        #expect(compacted.status == 0 && Self.matches(compacted.out, #"compacted \S+: [0-9.]+ MiB -> [0-9.]+ MiB in [0-9.]+ s\n"#), "\(compacted)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: mount) == ["registry.db"])
        let verify = try registry("verify")
        #expect(verify.status == 0 && verify.out.contains("all intact"), "\(verify)")
    }
}

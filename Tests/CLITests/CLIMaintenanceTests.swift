import Foundation
import GRDB
import Testing
import TestSupport

/// Aliases, `rm` and `gc`, deduplication and `verify` through the `registry` executable.
@Suite struct CLIMaintenanceTests {
    // MARK: - Aliases, rm and gc

    @Test func aliasesMoveAndDelete() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("keras_tf2"), "m")
        try cli.ok("push", Fixtures.casePath("keras_tf2_saved_model_save"), "m")

        let set = try cli.ok("alias", "m@prod", "1")
        #expect(set.out.contains("m@prod -> m:1"), "\(set)")
        let pulled = try #require(try cli.json("pull", "m@prod", "-o", cli.tmp.path + "/prod1") as? [String: Any])
        #expect(pulled["version"] as? Int == 1)
        let same1 = try fileBytes(cli.tmp.path + "/prod1/saved_model.pb") == fileBytes(Fixtures.casePath("keras_tf2") + "/saved_model.pb")
        #expect(same1)

        try cli.ok("alias", "m@prod", "2")
        let moved = try #require(try cli.json("pull", "m@prod", "-o", cli.tmp.path + "/prod2") as? [String: Any])
        #expect(moved["version"] as? Int == 2)
        let same2 = try fileBytes(cli.tmp.path + "/prod2/saved_model.pb") == fileBytes(Fixtures.casePath("keras_tf2_saved_model_save") + "/saved_model.pb")
        #expect(same2)
        let listed = try #require(try cli.json("history", "m") as? [[String: Any]])
        #expect(listed.map { $0["aliases"] as? [String] ?? ["?"] } == [[], ["prod"]])

        let toMissing = try cli.run("alias", "m@prod", "3")
        #expect(toMissing.status == 1, "\(toMissing)")
        let show = try #require(try cli.json("show", "m@prod") as? [String: Any])
        #expect((show["summary"] as? [String: Any])?["version"] as? Int == 2, "a failed move leaves the alias where it was")

        try cli.ok("alias", "--delete", "m@prod")
        let gone = try cli.run("pull", "m@prod", "-o", cli.tmp.path + "/prod3")
        #expect(gone.status == 1)
        #expect(gone.stderr.contains("prod"), "\(gone)")
        let deleteAgain = try cli.run("alias", "--delete", "m@prod")
        #expect(deleteAgain.status == 1, "\(deleteAgain)")
        // `@latest` is implicit.
        let latest = try #require(try cli.json("show", "m@latest") as? [String: Any])
        #expect((latest["summary"] as? [String: Any])?["version"] as? Int == 2)
    }

    @Test func removeThenGCFreesTheVersionsUniqueBytes() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let pushA = try #require(try cli.json("push", Fixtures.casePath("large_weights"), "a") as? [String: Any])
        try cli.ok("push", Fixtures.casePath("keras_tf2"), "b")
        let storedA = (pushA["statistics"] as? [String: Any])?["storedBytes"] as? Int ?? 0
        #expect(storedA > 4_000_000, "large_weights stores several MB even compressed: \(pushA)")
        let sizeBefore = fileSize(cli.database)

        let latestRefused = try cli.run("rm", "a")
        #expect(latestRefused.status == 64, "rm needs NAME:N, NAME@ALIAS or --all: \(latestRefused)")
        try cli.ok("rm", "a:1")
        let again = try cli.run("rm", "a:1")
        #expect(again.status == 1, "\(again)")
        let listed = try #require(try cli.json("ls") as? [[String: Any]])
        #expect(listed.map { $0["model"] as? String } == ["b"])
        #expect(fileSize(cli.database) >= sizeBefore - 64 * 1024, "rm alone frees nothing")

        let gc = try #require(try cli.json("gc") as? [String: Any])
        let freed = gc["bytesFreed"] as? Int ?? 0
        #expect(freed >= storedA * 99 / 100, "gc freed \(freed), push stored \(storedA)")
        #expect((gc["chunksRemoved"] as? Int ?? 0) > 0)
        #expect((gc["contentsRemoved"] as? Int ?? 0) > 0)
        let before = gc["fileBytesBefore"] as? Int ?? 0, after = gc["fileBytesAfter"] as? Int ?? 0
        #expect(before - after >= freed * 9 / 10, "file \(before) -> \(after), freed \(freed)")
        let sizeAfter = fileSize(cli.database)
        #expect(sizeBefore - sizeAfter >= Int64(freed) * 9 / 10, "db file \(sizeBefore) -> \(sizeAfter)")

        // What is left is intact and still pulls byte-identical.
        try cli.ok("verify")
        try cli.ok("pull", "b", "-o", cli.tmp.path + "/b")
        let same = try fileBytes(cli.tmp.path + "/b/variables/variables.data-00000-of-00001")
            == fileBytes(Fixtures.casePath("keras_tf2") + "/variables/variables.data-00000-of-00001")
        #expect(same)
        let second = try #require(try cli.json("gc") as? [String: Any])
        #expect(second["bytesFreed"] as? Int == 0)

        try cli.ok("rm", "b", "--all")
        let empty = try #require(try cli.json("ls") as? [Any])
        #expect(empty.isEmpty)
    }

    // MARK: - Dedup

    @Test func pushingTheSameModelTwiceCostsUnderOnePercent() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let first = try #require(try cli.json("push", Fixtures.casePath("large_weights"), "w") as? [String: Any])
        let sizeAfterFirst = fileSize(cli.database)
        let second = try #require(try cli.json("push", Fixtures.casePath("large_weights"), "w") as? [String: Any])
        let sizeAfterSecond = fileSize(cli.database)
        let s1 = try #require(first["statistics"] as? [String: Any]), s2 = try #require(second["statistics"] as? [String: Any])
        let stored1 = s1["storedBytes"] as? Int ?? 0, stored2 = s2["storedBytes"] as? Int ?? -1
        #expect(stored1 > 0)
        #expect(stored2 * 100 < stored1, "second push stored \(stored2) of \(stored1)")
        #expect(s2["dedupBytes"] as? Int == s2["rawBytes"] as? Int)
        #expect(s2["newChunks"] as? Int == 0)
        #expect((sizeAfterSecond - sizeAfterFirst) * 100 < sizeAfterFirst, "db file \(sizeAfterFirst) -> \(sizeAfterSecond)")
        #expect(second["version"] as? Int == 2)
        // The same bytes under another model name are free too.
        let other = try #require(try cli.json("push", Fixtures.casePath("large_weights"), "w2") as? [String: Any])
        #expect((other["statistics"] as? [String: Any])?["storedBytes"] as? Int ?? -1 == 0)
    }

    // MARK: - verify

    @Test func verifyFindsAFlippedBitInAStoredChunk() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("keras_tf2"), "k")
        try cli.ok("push", Fixtures.casePath("seed_mlp_train_and_serve"), "s")
        let healthy = try cli.ok("verify")
        #expect(healthy.out.contains("all intact"), "\(healthy)")
        try cli.ok("verify", "s:1")

        // Flip one bit in the middle of the chunk holding one tensor of s:1.
        let tensor = "hideen_layer_2/kernel"
        do {
            let queue = try DatabaseQueue(path: cli.database)
            try queue.write { db in
                let row = try #require(try Row.fetchOne(db, sql: """
                    SELECT chunks.id, chunks.data FROM chunks
                    JOIN content_chunks cc ON cc.chunk_id = chunks.id
                    JOIN tensors t ON t.content_id = cc.content_id
                    JOIN versions v ON v.id = t.version_id JOIN models m ON m.id = v.model_id
                    WHERE m.name = 's' AND v.number = 1 AND t.name = ?
                    """, arguments: [tensor]))
                var data = [UInt8](row["data"] as Data)
                data[data.count / 2] ^= 0x04
                try db.execute(sql: "UPDATE chunks SET data = ? WHERE id = ?", arguments: [Data(data), row["id"] as Int64])
                #expect(db.changesCount == 1)
            }
        }

        let damaged = try cli.run("verify")
        #expect(damaged.status == 1, "\(damaged)")
        #expect(damaged.out.contains("DAMAGED s:1 tensor '\(tensor)'"), "\(damaged)")
        #expect(!damaged.out.contains("DAMAGED k:"), "\(damaged)")
        let report = try cli.run("verify", "--json")
        #expect(report.status == 1)
        let json = try #require(try report.json() as? [String: Any])
        let problems = try #require(json["problems"] as? [[String: Any]])
        #expect(!problems.isEmpty)
        #expect(problems.allSatisfy { $0["model"] as? String == "s" && $0["version"] as? Int == 1 }, "\(problems)")
        #expect(problems.contains { ($0["item"] as? String)?.contains(tensor) == true }, "\(problems)")
        // Checking only the healthy version passes; the damaged one fails.
        try cli.ok("verify", "k")
        #expect(try cli.run("verify", "s").status == 1)
        // Pulling the damaged version fails and leaves nothing behind.
        let pull = try cli.run("pull", "s", "-o", cli.tmp.path + "/s")
        #expect(pull.status == 1, "\(pull)")
        #expect(!FileManager.default.fileExists(atPath: cli.tmp.path + "/s"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.tmp.path).sorted() == ["reg"])
    }
}

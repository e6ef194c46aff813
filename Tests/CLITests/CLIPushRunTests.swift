import Foundation
import Testing
import TestSupport

/// `push` into a training run: one checkpoint by its prefix appended as the next version (the
/// child of the run's latest), `--step` and `--metric`, the run's retention applied, and the
/// options that describe one checkpoint refused for a folder of several.
@Suite struct CLIPushRunTests {
    @Test func onePrefixJoinsTheRunWithStepMetricsAndRetention() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let folder = Fixtures.path("saver_checkpoints/plain")
        try cli.ok("push", folder, "r")
        let pushed = try cli.ok("push", folder + "/model.ckpt-40", "r", "--step", "50", "--metric", "loss=0.5", "--metric", "accuracy=0.75",
                                "--max-to-keep", "2")
        #expect(pushed.out.hasPrefix("pushed r:4: checkpoint, 5 tensors, stored 0 B new, dedup saved "), "\(pushed.out)")
        #expect(pushed.out.hasSuffix("\n  retention deleted r:1, r:2\n"), "\(pushed.out)")
        let history = try #require(try cli.json("history", "r") as? [[String: Any]])
        #expect(history.map { $0["version"] as? Int } == [3, 4])
        let last = history[1]
        #expect(last["globalStep"] as? Int == 50 && last["parent"] as? String == "r:3" && last["run"] as? String == "r")
        #expect(last["metrics"] as? [String: Double] == ["loss": 0.5, "accuracy": 0.75])
        #expect((last["source"] as? String)?.hasSuffix("saver_checkpoints/plain/model.ckpt-40") == true)

        // The next one keeps the window at two; --json reports what retention deleted.
        let next = try #require(try cli.json("push", folder + "/model.ckpt-30", "r", "--saved-at", "1700000000") as? [[String: Any]])
        #expect(next.count == 1 && next[0]["version"] as? Int == 5 && next[0]["deleted"] as? [Int] == [3] && next[0]["preserved"] == nil)
        let listed = try #require(try cli.json("history", "r") as? [[String: Any]])
        #expect(listed.map { $0["globalStep"] as? Int } == [50, 30] && listed[1]["createdAt"] as? String == "2023-11-14T22:13:20Z")

        // The plot draws the series the metrics joined (the deleted versions' values stay).
        let plot = cli.tmp.path + "/r.svg"
        try cli.ok("history", "r", "--plot", plot)
        let svg = try String(contentsOfFile: plot, encoding: .utf8)
        #expect(svg.contains(">accuracy<") && svg.contains(">loss<") && svg.components(separatedBy: "<polyline").count - 1 == 2)
    }

    @Test func optionsForOneCheckpointAreRefusedForSeveral() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let folder = Fixtures.path("saver_checkpoints/plain")
        let refused = try cli.run("push", folder, "r", "--step", "5")
        #expect(refused.status == 1 && refused.stderr == "Error: --step and --metric describe one checkpoint, but \(folder) holds 3; "
                + "push one checkpoint by its prefix (DIR/model.ckpt-N)\n", "\(refused)")
        let notANumber = try cli.run("push", folder, "r", "--metric", "loss=high")
        #expect(notANumber.status == 64 && notANumber.stderr.contains("--metric loss=high: the value is not a finite number"), "\(notANumber)")
        let savedModel = try cli.run("push", Fixtures.casePath("seed_mlp_training"), "m", "--max-to-keep", "2")
        #expect(savedModel.status == 1 && savedModel.stderr.contains("is a SavedModel"), "\(savedModel)")
        #expect(try cli.run("push", "seed", "--to", "oci://localhost/x", "--step", "3").status == 64)
        let listed = try #require(try cli.json("ls") as? [Any])
        #expect(listed.isEmpty, "nothing was recorded")
    }
}

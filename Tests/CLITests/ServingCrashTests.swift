import Foundation
import Testing
import TestSupport

/// `registry serving sync` killed with SIGKILL at random moments (20 trials; `REGISTRY_SOAK=1`:
/// 100), delays drawn uniformly from [0, 1.1 × the undisturbed run] by a seeded generator. The
/// sync under test does everything a sync can: it writes a new version, moves a label in two
/// config writes (`--label-delay 0.3`) and removes two old folders. After each kill: every
/// numeric folder of the base path is complete and byte-identical (marker aside) to the
/// version's reference folder, which TensorFlow loads and serves; the config parses (also in
/// tensorflow-serving-api's protos) and names no version without a folder, and no label off
/// its policy. Then a sync without a kill finishes the job and leaves no leftovers. (The
/// TensorFlow checks run when the TensorFlow tests do; the rest always.)
@Suite(.serialized) struct ServingCrashTests {
    @Test func syncKilledAtRandomMoments() throws {
        let trials = soak ? 100 : 20
        var rng = SplitMix64(seed: crashSeed)
        let cli = try CLI()
        defer { cli.cleanup() }
        let log = FailureLog("serving sync")
        try cli.ok("train", "r", "--epochs", "3", "--save-every", "50")  // r:1, r:2, r:3: three sets of weights
        try cli.ok("alias", "r@prod", "1")
        let template = cli.tmp.path + "/template"
        try FileManager.default.createDirectory(atPath: template, withIntermediateDirectories: true)
        try cli.ok("serving", "sync", "r", template + "/base", "--config", template + "/models.config", "--alias", "prod",
                   "--version", "2", "--label-delay", "0")
        try cli.ok("alias", "r@prod", "3")

        /// A fresh copy of the starting state (times kept, so the markers still match), and the sync's arguments.
        func prepare(_ name: String) throws -> (folder: String, arguments: [String]) {
            let folder = cli.tmp.path + "/" + name
            let copy = try runProcess("/bin/cp", ["-a", template, folder])
            guard copy.status == 0 else { throw TestFailure("cp: \(copy)") }
            return (folder, servingSyncArguments(cli.database, ["r", folder + "/base", "--config", folder + "/models.config",
                                                                        "--label-delay", "0.3"]))
        }
        let undisturbed = try prepare("undisturbed")
        let (duration, outcome, stderr) = try timedRun(undisturbed.arguments)
        try #require(outcome == .exited(0), "\(stderr)")
        var references: [Int64: FolderDigest] = [:]
        for (number, base) in [(1, template), (2, template), (3, undisturbed.folder)] as [(Int64, String)] {
            references[number] = try Self.digestWithoutMarker(base + "/base/\(number)")
        }
        let final = try ServingState(base: undisturbed.folder + "/base", config: undisturbed.folder + "/models.config", model: "r")
        try #require(final.folders.keys.sorted() == [3] && final.policy == [3] && final.labels == ["prod": 3], "\(final)")

        var configs: [String] = []
        try FileManager.default.createDirectory(atPath: cli.tmp.path + "/configs", withIntermediateDirectories: true)
        var killed = 0
        var seen: [String: Int] = [:]  // the states kills left, to show they landed in every phase
        for trial in 0..<trials {
            let (folder, arguments) = try prepare("trial-\(trial)")
            let delay = Double(rng.next() % 1_000_000) / 1_000_000 * 1.1 * duration
            if try KillableChild(arguments).kill(after: delay) == .killed { killed += 1 }
            let base = folder + "/base", config = folder + "/models.config"
            do {
                let state = try ServingState(base: base, config: config, model: "r")
                seen["\(state)", default: 0] += 1
                for problem in state.problems(base: base) { log.fail(trial, problem) }
                for (number, name) in state.folders {
                    let digest = try Self.digestWithoutMarker(base + "/" + name)
                    log.check(digest == references[number], trial, "folder \(name) differs: \(references[number].map(digest.difference) ?? "no such version")")
                }
                let kept = cli.tmp.path + "/configs/\(trial).config"
                try FileManager.default.copyItem(atPath: config, toPath: kept)
                configs.append(kept)
            } catch {
                log.fail(trial, "after the kill: \(error)")
            }
            let finish = try timedRun(arguments)
            log.check(finish.outcome == .exited(0), trial, "the next sync: \(finish.outcome) \(finish.stderr)")
            let after = try ServingState(base: base, config: config, model: "r")
            log.check(after == final, trial, "after the next sync: \(after), expected \(final)")
            let beside = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
            log.check(beside == ["base", "models.config"], trial, "leftovers beside the config: \(beside)")
            try FileManager.default.removeItem(atPath: folder)
        }

        // TensorFlow loads and serves each reference folder; every config a kill left parses in TF Serving's protos.
        if TensorFlowOracle.enabled { try Self.checkInTensorFlow(template: template, undisturbed: undisturbed.folder, configs: configs, log: log) }
        print("ServingCrash: \(trials) trials, \(killed) killed mid-sync, undisturbed sync \(String(format: "%.2f s", duration)); "
              + "states left: " + seen.sorted { $0.key < $1.key }.map { "\($0.value)× \($0.key)" }.joined(separator: "; "))
        #expect(log.messages.isEmpty, "\(log.messages.prefix(10))")
        #expect(killed >= trials / 2, "only \(killed) of \(trials) kills landed before the sync ended")
    }

    static func checkInTensorFlow(template: String, undisturbed: String, configs: [String], log: FailureLog) throws {
        let inputs = Fixtures.casePath("seed_mlp_train_and_serve") + "/assets.extra/example_inputs.npz"
        let checked = try ServingTensorFlow.check(folders: [(template + "/base/1", inputs, nil), (template + "/base/2", inputs, nil),
                                                            (undisturbed + "/base/3", inputs, nil)], configs: configs)
        for (folder, result) in checked.outputs { log.check(result == "logits [4, 5]", -1, "\(folder): \(result)") }
        log.check(checked.configs.count == configs.count, -1, "parsed \(checked.configs.count) of \(configs.count) configs")
    }

    /// A folder's digest without the registry's marker (which records this copy's file times).
    static func digestWithoutMarker(_ folder: String) throws -> FolderDigest {
        var digest = try FolderDigest(folder)
        digest.files[".registry-version.json"] = nil
        return digest
    }
}

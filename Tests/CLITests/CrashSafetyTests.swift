import Foundation
import Testing
import TestSupport

/// Crash safety: `registry push`, `pull` and `gc` are started as child processes and killed
/// with SIGKILL at random moments spread over their whole run (delays drawn uniformly from
/// [0, 1.1 × the undisturbed duration], from a seeded generator so that a run can be
/// repeated). After each kill: `verify` passes, `ls` lists only complete versions (each
/// landed version pulls byte-identical to its source), a killed push either fully landed or
/// not at all, the next push succeeds; a killed pull leaves its target absent or complete;
/// a killed gc loses nothing and a second gc completes.
///
/// The short form (the default, for CI) runs 20 push, 3 new-registry, 10 pull and 10 gc
/// trials on a 24 MiB model (about 30 s in a debug build); `REGISTRY_SOAK=1` runs 100 of each
/// (20 new-registry) on a 96 MiB model. `REGISTRY_SOAK_SEED` and `REGISTRY_SOAK_MIB` override the seed and size.
/// Each test prints a one-line summary.
@Suite(.serialized) struct CrashSafetyTests {
    // MARK: - Helpers

    struct Listed: Equatable {
        var model: String
        var version: Int
        var tensors: Int
        var tensorBytes: Int
    }

    static func list(_ cli: CLI) throws -> [Listed] {
        let result = try cli.run("ls", "--json")
        guard result.status == 0, let rows = try result.json() as? [[String: Any]] else {
            throw TestFailure("registry ls --json: \(result)")
        }
        return rows.map {
            Listed(model: $0["model"] as? String ?? "?", version: $0["version"] as? Int ?? -1,
                   tensors: $0["tensors"] as? Int ?? -1, tensorBytes: $0["tensorBytes"] as? Int ?? -1)
        }
    }

    /// nil when `verify --json` exits 0 with no problems and counts `versions` versions, else what is wrong.
    static func verifyProblem(_ cli: CLI, versions: Int) throws -> String? {
        let result = try cli.run("verify", "--json")
        guard result.status == 0 else { return "verify exited \(result.status): \(result.out.prefix(1500)) \(result.stderr.prefix(500))" }
        guard let report = try? result.json() as? [String: Any] else { return "verify printed no JSON: \(result)" }
        if let problems = report["problems"] as? [Any], !problems.isEmpty { return "verify found problems: \(problems.prefix(5))" }
        if report["versions"] as? Int != versions { return "verify checked \(report["versions"] ?? "?") versions, expected \(versions)" }
        return nil
    }

    /// nil when `REF` pulls into a fresh folder byte-identical to `expected`, else what differs.
    static func pullProblem(_ cli: CLI, _ reference: String, expected: FolderDigest) throws -> String? {
        let folder = cli.tmp.path + "/check-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try cli.run("pull", reference, "-o", folder)
        guard result.status == 0 else { return "pull \(reference) exited \(result.status): \(result.stderr.prefix(800))" }
        let pulled = try FolderDigest(folder)
        return pulled == expected ? nil : "pull \(reference) differs from its source: \(pulled.difference(from: expected))"
    }

    /// Entries of the registry's folder other than the database and its journal (rollback, or WAL and shared memory).
    static func strayFiles(_ cli: CLI) -> [String] {
        let folder = (cli.database as NSString).deletingLastPathComponent
        let name = (cli.database as NSString).lastPathComponent
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { ![name, name + "-wal", name + "-shm", name + "-journal"].contains($0) }.sorted()
    }

    static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    static func format(_ seconds: Double) -> String { String(format: "%.2f s", seconds) }

    // MARK: - push

    @Test func pushKilledAtRandomMoments() throws {
        let trials = soak ? 100 : 20
        let clock = DispatchTime.now().uptimeNanoseconds
        var rng = SplitMix64(seed: crashSeed)
        let cli = try CLI()
        defer { cli.cleanup() }
        let log = FailureLog("push")
        let model = try SyntheticModel(megabytes: syntheticMegabytes, seed: 7)
        let source = cli.tmp.path + "/source"

        // A version of another model that every crash must leave alone.
        try cli.ok("push", Fixtures.casePath("large_weights"), "keep")
        let keepDigest = try FolderDigest(Fixtures.casePath("large_weights"))

        // Undisturbed pushes: the first stores every byte; the next two, like each trial's, store
        // the changed half and deduplicate the rest. The kills are spread over their duration.
        var digests: [Int: FolderDigest] = [:]  // variant → its folder's digest
        var versions: [Int: Int] = [:]  // m's version number → variant
        var last = 0
        var measured: [Double] = []
        for variant in 0..<3 {
            try model.write(variant: variant, to: source)
            digests[variant] = try FolderDigest(source)
            let run = try timedRun(registryArguments(cli.database, "push", [source, "m"]))
            try #require(run.outcome == .exited(0), "undisturbed push: \(run.stderr)")
            last += 1
            versions[last] = variant
            measured.append(run.seconds)
        }
        let duration = measured.dropFirst().max()!
        let start = try timedRun(registryArguments(cli.database, "ls", ["--json"]))  // process start and open alone
        let reference = try #require(try Self.list(cli).first { $0.model == "m" && $0.version == 1 })
        try #require(reference.tensors == model.tensorCount, "\(reference)")

        var landedKilled = 0, landedFinished = 0, notLanded = 0, fullChecks = 0
        for trial in 1...trials {
            let variant = trial + 2
            try model.write(variant: variant, to: source)
            let digest = try FolderDigest(source)
            digests[variant] = digest

            let delay = rng.uniform(0, duration * 1.1)
            let child = try KillableChild(registryArguments(cli.database, "push", [source, "m"]))
            let outcome = child.kill(after: delay)
            if case .exited(let status) = outcome, status != 0 {
                log.fail(trial, "push exited \(status) on its own: \(child.stderr.prefix(800))")
            }

            // Either the whole version landed as m:last+1, or nothing did.
            let listed = try Self.list(cli)
            let numbers = listed.filter { $0.model == "m" }.map(\.version).sorted()
            let before = versions.keys.sorted()
            let landed: Bool
            if numbers == before {
                landed = false
            } else if numbers == before + [last + 1] {
                landed = true
            } else {
                log.fail(trial, "after a kill at \(Self.format(delay)) m lists versions \(numbers); expected \(before) or \(before + [last + 1])")
                break
            }
            if outcome == .exited(0) && !landed { log.fail(trial, "the push exited 0 but m:\(last + 1) is not listed") }
            log.check(listed.contains { $0.model == "keep" && $0.version == 1 }, trial, "keep:1 is no longer listed: \(listed)")
            for row in listed where row.model == "m" && (row.tensors != reference.tensors || row.tensorBytes != reference.tensorBytes) {
                log.fail(trial, "m:\(row.version) is listed with \(row.tensors) tensors, \(row.tensorBytes) bytes; a complete version has \(reference.tensors), \(reference.tensorBytes)")
            }
            if landed {
                last += 1
                versions[last] = variant
                if outcome == .killed { landedKilled += 1 } else { landedFinished += 1 }
            } else {
                notLanded += 1
            }

            // Everything stored is intact; what landed is the source, byte for byte.
            if let problem = try Self.verifyProblem(cli, versions: listed.count) { log.fail(trial, problem) }
            if landed, let problem = try Self.pullProblem(cli, "m:\(last)", expected: digest) { log.fail(trial, problem) }
            if trial % 10 == 0 {
                fullChecks += 1
                for (number, v) in versions.sorted(by: { $0.key < $1.key }) where !(landed && number == last) {
                    if let problem = try Self.pullProblem(cli, "m:\(number)", expected: digests[v]!) { log.fail(trial, problem) }
                }
                if let problem = try Self.pullProblem(cli, "keep:1", expected: keepDigest) { log.fail(trial, problem) }
            }

            // The next push succeeds, as the next number.
            let next = try cli.run("push", source, "m", "--json")
            if next.status == 0, let json = try? next.json() as? [String: Any], json["version"] as? Int == last + 1 {
                last += 1
                versions[last] = variant
            } else {
                log.fail(trial, "the push after the kill: \(next)")
                break
            }
            let stray = Self.strayFiles(cli)
            log.check(stray.isEmpty, trial, "files left beside the registry: \(stray)")

            // Keep the file small: only the latest version stays, gc every fourth trial.
            for number in versions.keys.sorted() where number != last { try cli.ok("rm", "m:\(number)") }
            versions = [last: variant]
            digests = digests.filter { $0.key == variant }
            if trial % 4 == 0 { try cli.ok("gc") }
        }
        if let problem = try Self.verifyProblem(cli, versions: 1 + versions.count) { log.fail(trials, problem) }
        let summary = "CrashSafety push: \(trials) trials on a \(syntheticMegabytes) MiB model (\(model.tensorCount) tensors, 7 other files), "
            + "undisturbed push \(measured.map(Self.format).joined(separator: "/")), kills spread over 0–\(Self.format(duration * 1.1)) (start and open alone \(Self.format(start.seconds))), seed \(crashSeed): "
            + "\(landedKilled + landedFinished) landed (\(landedKilled) killed after commit, \(landedFinished) finished before the kill), "
            + "\(notLanded) not landed (killed before commit); \(fullChecks) full pull checks; \(log.messages.count) failures; \(Self.format(Self.seconds(since: clock)))"
        print(summary)
        #expect(log.messages.isEmpty, "\(log.messages.prefix(10).joined(separator: "\n"))")
    }

    // MARK: - push into a registry that does not exist yet

    /// The first push creates the database and runs the migrations: kills aimed at that start.
    @Test func firstPushKilledWhileCreatingTheRegistry() throws {
        let trials = soak ? 20 : 3
        let clock = DispatchTime.now().uptimeNanoseconds
        var rng = SplitMix64(seed: crashSeed &+ 3)
        let log = FailureLog("new-registry push")
        let fixture = Fixtures.casePath("keras_tf2")
        let expected = try FolderDigest(fixture)
        let probe = try CLI()
        let measured = try timedRun(registryArguments(probe.database, "push", [fixture, "m"]))
        probe.cleanup()
        try #require(measured.outcome == .exited(0), "undisturbed push: \(measured.stderr)")
        var noFile = 0, empty = 0, landed = 0
        for trial in 1...trials {
            let cli = try CLI()
            defer { cli.cleanup() }
            let delay = rng.uniform(0, measured.seconds * 1.1)
            let child = try KillableChild(registryArguments(cli.database, "push", [fixture, "m"]))
            let outcome = child.kill(after: delay)
            if case .exited(let status) = outcome, status != 0 {
                log.fail(trial, "push exited \(status) on its own: \(child.stderr.prefix(800))")
            }
            // Killed before the file was linked into place: there is no registry, and `ls` (which
            // creates none) says so.
            let exists = FileManager.default.fileExists(atPath: cli.database)
            if !exists { noFile += 1 }
            let listed = exists ? try Self.list(cli) : []
            if listed.isEmpty {
                empty += 1
            } else if listed.map(\.version) == [1] && listed[0].model == "m" {
                landed += 1
                if let problem = try Self.pullProblem(cli, "m:1", expected: expected) { log.fail(trial, problem) }
            } else {
                log.fail(trial, "after a kill at \(Self.format(delay)) the new registry lists \(listed)")
            }
            if exists, let problem = try Self.verifyProblem(cli, versions: listed.count) { log.fail(trial, problem) }
            let next = try cli.run("push", fixture, "m", "--json")
            let number = (try? next.json() as? [String: Any])?["version"] as? Int
            log.check(next.status == 0 && number == listed.count + 1, trial, "the push after the kill: \(next)")
            let stray = Self.strayFiles(cli)
            log.check(stray.isEmpty, trial, "files left beside the registry: \(stray)")
        }
        print("CrashSafety new-registry push: \(trials) trials, undisturbed first push \(Self.format(measured.seconds)), seed \(crashSeed &+ 3): "
              + "\(landed) landed, \(empty) not landed (\(noFile) of them killed before the database file existed); "
              + "\(log.messages.count) failures; \(Self.format(Self.seconds(since: clock)))")
        #expect(log.messages.isEmpty, "\(log.messages.prefix(10).joined(separator: "\n"))")
    }

    // MARK: - pull

    @Test func pullKilledAtRandomMoments() throws {
        let trials = soak ? 100 : 10
        let clock = DispatchTime.now().uptimeNanoseconds
        var rng = SplitMix64(seed: crashSeed &+ 1)
        let cli = try CLI()
        defer { cli.cleanup() }
        let log = FailureLog("pull")
        let model = try SyntheticModel(megabytes: syntheticMegabytes, seed: 8)
        let source = cli.tmp.path + "/source"
        var digests: [Int: FolderDigest] = [:]  // version → digest
        for version in 1...2 {
            try model.write(variant: version, to: source)
            digests[version] = try FolderDigest(source)
            try cli.ok("push", source, "p")
        }
        let parent = cli.tmp.path + "/out"
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let target = parent + "/model"
        var measured: [Double] = []
        for _ in 0..<2 {
            let run = try timedRun(registryArguments(cli.database, "pull", ["p:2", "-o", target]))
            try #require(run.outcome == .exited(0), "undisturbed pull: \(run.stderr)")
            measured.append(run.seconds)
            try FileManager.default.removeItem(atPath: target)
        }
        let duration = measured.max()!

        var holds: Int?  // the version the target holds, nil when absent
        var complete = 0, finished = 0, absent = 0, kept = 0, lostByForce = 0
        var trialsWithLeftovers = 0, leftovers = 0, oldLeftovers = 0
        for trial in 1...trials {
            // Odd trials pull into a missing folder; even ones replace the other version with --force.
            let force = trial % 2 == 0
            if force && holds == nil {
                try cli.ok("pull", "p:1", "-o", target)
                holds = 1
            } else if !force && holds != nil {
                try FileManager.default.removeItem(atPath: target)
                holds = nil
            }
            let version = force ? (holds == 1 ? 2 : 1) : (trial % 4 == 1 ? 1 : 2)
            let delay = rng.uniform(0, duration * 1.1)
            let child = try KillableChild(registryArguments(cli.database, "pull", ["p:\(version)", "-o", target] + (force ? ["--force"] : [])))
            let outcome = child.kill(after: delay)
            if case .exited(let status) = outcome, status != 0 {
                log.fail(trial, "pull exited \(status) on its own: \(child.stderr.prefix(800))")
            }

            // The target is absent (or, with --force, the old version) or complete.
            let old = holds
            if FileManager.default.fileExists(atPath: target) {
                let found = try FolderDigest(target)
                if found == digests[version] {
                    holds = version
                    if outcome == .killed { complete += 1 } else { finished += 1 }
                } else if let old, found == digests[old] {
                    kept += 1
                } else {
                    log.fail(trial, "after a kill at \(Self.format(delay)) the target is half written: \(found.difference(from: digests[version]!))")
                    try FileManager.default.removeItem(atPath: target)
                    holds = nil
                }
            } else if old != nil {
                lostByForce += 1
                holds = nil
                print("CrashSafety note [pull trial \(trial)]: a kill at \(Self.format(delay)) left no target after --force (between the two renames)")
            } else {
                absent += 1
            }
            if outcome == .exited(0) && holds != version { log.fail(trial, "pull exited 0 but the target does not hold p:\(version)") }

            // Staging folders left behind: hidden siblings of the target.
            let siblings = (try FileManager.default.contentsOfDirectory(atPath: parent)).filter { $0 != "model" }
            let staging = siblings.filter { $0.hasPrefix(".model.registry-") }
            log.check(staging.count == siblings.count, trial, "unexpected entries beside the target: \(siblings)")
            if !staging.isEmpty {
                trialsWithLeftovers += 1
                leftovers += staging.count
                oldLeftovers += staging.filter { $0.hasSuffix(".old") }.count
            }
            // The next pull clears what killed ones left, so leftovers never pile up: at most
            // those of the last killed pull (its staging folder and a moved-aside `.old`).
            let owners = Set(staging.map { $0.split(separator: "-").dropLast().joined(separator: "-") })
            log.check(owners.count <= 1, trial, "staging folders of several killed pulls pile up: \(staging)")
            if trial % 10 == 0, let problem = try Self.verifyProblem(cli, versions: 2) { log.fail(trial, problem) }
        }
        // A pull after all that succeeds.
        if let problem = try Self.pullProblem(cli, "p:2", expected: digests[2]!) { log.fail(trials, problem) }
        if let problem = try Self.verifyProblem(cli, versions: 2) { log.fail(trials, problem) }
        print("CrashSafety pull: \(trials) trials (half with --force over the other version) of a \(syntheticMegabytes) MiB model, "
              + "undisturbed pull \(measured.map(Self.format).joined(separator: "/")), kills spread over 0–\(Self.format(duration * 1.1)), seed \(crashSeed &+ 1): "
              + "target complete in \(complete + finished) (\(complete) killed after the rename, \(finished) finished before the kill), "
              + "absent in \(absent), old version kept in \(kept), lost between the renames of --force in \(lostByForce); "
              + "staging leftovers after \(trialsWithLeftovers) trials (\(leftovers) folders, \(oldLeftovers) of them .old); "
              + "\(log.messages.count) failures; \(Self.format(Self.seconds(since: clock)))")
        #expect(log.messages.isEmpty, "\(log.messages.prefix(10).joined(separator: "\n"))")
    }

    // MARK: - gc

    @Test func gcKilledAtRandomMoments() throws {
        let trials = soak ? 100 : 10
        let clock = DispatchTime.now().uptimeNanoseconds
        var rng = SplitMix64(seed: crashSeed &+ 2)
        let cli = try CLI()
        defer { cli.cleanup() }
        let log = FailureLog("gc")
        let model = try SyntheticModel(megabytes: syntheticMegabytes, seed: 9)
        let source = cli.tmp.path + "/source"
        try cli.ok("push", Fixtures.casePath("large_weights"), "keep")
        let keepDigest = try FolderDigest(Fixtures.casePath("large_weights"))

        // Each round: push a new variant as g:N, remove g:N-1 (half its bytes become garbage), gc.
        var variant = 0, last = 0
        var digest = try FolderDigest(Fixtures.casePath("large_weights"))
        func nextRound() throws {
            try model.write(variant: variant, to: source)
            digest = try FolderDigest(source)
            variant += 1
            let pushed = try cli.run("push", source, "g", "--json")
            let number = (try? pushed.json() as? [String: Any])?["version"] as? Int
            guard pushed.status == 0, number == last + 1 else { throw TestFailure("push g: \(pushed)") }
            if last > 0 { try cli.ok("rm", "g:\(last)") }
            last += 1
        }
        try nextRound()
        var measured: [Double] = []
        for _ in 0..<2 {
            try nextRound()
            let run = try timedRun(registryArguments(cli.database, "gc", []))
            try #require(run.outcome == .exited(0), "undisturbed gc: \(run.stderr)")
            measured.append(run.seconds)
        }
        let duration = measured.max()!

        var beforeCommit = 0, afterCommit = 0, finished = 0
        for trial in 1...trials {
            try nextRound()
            let delay = rng.uniform(0, duration * 1.1)
            let child = try KillableChild(registryArguments(cli.database, "gc", []))
            let outcome = child.kill(after: delay)
            if case .exited(let status) = outcome, status != 0 {
                log.fail(trial, "gc exited \(status) on its own: \(child.stderr.prefix(800))")
            }

            // Nothing a version needs is gone.
            let listed = try Self.list(cli).map { "\($0.model):\($0.version)" }
            log.check(listed == ["g:\(last)", "keep:1"] || listed == ["keep:1", "g:\(last)"], trial,
                      "after a kill at \(Self.format(delay)) the registry lists \(listed)")
            if let problem = try Self.verifyProblem(cli, versions: 2) { log.fail(trial, "after a kill at \(Self.format(delay)): \(problem)") }
            if let problem = try Self.pullProblem(cli, "g:\(last)", expected: digest) { log.fail(trial, problem) }
            if let problem = try Self.pullProblem(cli, "keep:1", expected: keepDigest) { log.fail(trial, problem) }

            // A second gc completes; what it still finds to delete tells where the first was killed.
            let second = try cli.run("gc", "--json")
            if second.status == 0, let report = try? second.json() as? [String: Any] {
                let removed = report["contentsRemoved"] as? Int ?? -1
                if outcome != .killed {
                    finished += 1
                    log.check(removed == 0, trial, "gc finished, yet a second gc removed \(removed) contents")
                } else if removed > 0 {
                    beforeCommit += 1
                } else {
                    afterCommit += 1
                }
            } else {
                log.fail(trial, "the gc after the kill: \(second)")
            }
            if let problem = try Self.verifyProblem(cli, versions: 2) { log.fail(trial, "after the second gc: \(problem)") }
            let stray = Self.strayFiles(cli)
            log.check(stray.isEmpty, trial, "files left beside the registry: \(stray)")
        }
        print("CrashSafety gc: \(trials) trials on a \(syntheticMegabytes) MiB model (about half of it garbage each time), "
              + "undisturbed gc \(measured.map(Self.format).joined(separator: "/")), kills spread over 0–\(Self.format(duration * 1.1)), seed \(crashSeed &+ 2): "
              + "\(beforeCommit) killed before the delete committed, \(afterCommit) killed after it (in VACUUM or the checkpoint), "
              + "\(finished) finished before the kill; \(log.messages.count) failures; \(Self.format(Self.seconds(since: clock)))")
        #expect(log.messages.isEmpty, "\(log.messages.prefix(10).joined(separator: "\n"))")
    }
}

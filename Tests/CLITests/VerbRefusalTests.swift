import Foundation
import GRDB
import Testing
import TestSupport

/// What a verb refuses, and the words it refuses with: deleting aliased versions, mixing kinds
/// in a model, tag sets a version lacks, duplicate labels, the reserved alias `latest`, names
/// outside the model-name grammar, and the messages that used to point the wrong way.
@Suite struct VerbRefusalTests {
    /// `rm m@staging` deleted m:1 and every other alias on it (`prod`) without a word.
    @Test func removingAVersionThatAliasesPointAtNeedsForce() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let source = Fixtures.casePath("keras_tf2")
        try cli.ok("push", source, "m", "--alias", "prod", "--alias", "staging")
        try cli.ok("push", source, "m")

        let refused = try cli.run("rm", "m@staging")
        #expect(refused.status == 1 && refused.stderr == "Error: m:1 carries the aliases staging, prod, which would go with it; "
                + "`registry alias --delete m@staging` removes an alias only, `registry rm m:1 --force` deletes the version and its aliases\n",
                "\(refused)")
        let dryRun = try cli.ok("rm", "m@staging", "--force", "--dry-run")
        #expect(dryRun.out == "would delete m:1 and the aliases staging, prod; nothing was changed\n", "\(dryRun.out)")
        #expect(try cli.ok("ls", "--quiet").out == "m:1\nm:2\n")

        // alias --delete removes the alias only.
        #expect(try cli.ok("alias", "--delete", "m@staging").out == "deleted the alias m@staging; m's versions are unchanged\n")
        let shown = try cli.ok("show", "m:1").out
        #expect(shown.contains("aliases: prod\n"), "\(shown)")

        let modelRefused = try cli.run("rm", "m", "--all")
        #expect(modelRefused.status == 1 && modelRefused.stderr.contains("has the alias prod") && modelRefused.stderr.contains("--all --force"),
                "\(modelRefused)")
        #expect(try cli.ok("rm", "m:2").out == "deleted m:2; run `registry gc` to free the bytes\n", "m:2 carries no alias")
        #expect(try cli.ok("rm", "m@prod", "--force").out == "deleted m:1 and the alias prod; run `registry gc` to free the bytes\n")
        #expect(try cli.ok("ls", "--quiet").out.isEmpty)
    }

    @Test func labelsAliasesAndNames() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let source = Fixtures.casePath("keras_tf2")
        // A key given twice was kept silently as its last value.
        let twice = try cli.run("push", source, "m", "--label", "a=1", "--label", "a=2")
        #expect(twice.status == 1 && twice.stderr == "Error: label 'a' given 2 times (a=1, a=2); give each key once\n", "\(twice)")
        // `latest` was accepted, then could not be deleted.
        let latest = try cli.run("push", source, "m", "--alias", "latest")
        #expect(latest.status == 1 && latest.stderr.contains("'latest' is reserved"), "\(latest)")
        #expect(!FileManager.default.fileExists(atPath: cli.database), "refused pushes create no registry")

        try cli.ok("push", source, "m", "--label", "data=random")
        try cli.ok("push", source, "m")
        // NAME:N is a version, as every other verb writes it.
        #expect(try cli.ok("alias", "m@prod", "m:2").out == "m@prod -> m:2\n")
        #expect(try cli.ok("alias", "m@prod", "1").out == "m@prod -> m:1\n")
        let otherModel = try cli.run("alias", "m@prod", "k:1")
        #expect(otherModel.status == 64 && otherModel.stderr.contains("only point at a version of m"), "\(otherModel)")
        for arguments in [["alias", "m@latest", "1"], ["alias", "--delete", "m@latest"]] {
            let result = try cli.run(arguments)
            #expect(result.status == 1 && result.stderr.contains("'latest' is reserved"), "\(arguments): \(result)")
        }

        // Labels after the push: set, replace, remove.
        #expect(try cli.ok("label", "m:1", "data=real", "owner=ml").out == "m:1 labels: data=real owner=ml\n")
        #expect(try cli.ok("label", "m:1", "--remove", "owner").out == "m:1 labels: data=real\n")
        let gone = try cli.run("label", "m:1", "--remove", "owner")
        #expect(gone.status == 1 && gone.stderr == "Error: m:1 has no label 'owner'; `registry show m:1` lists its labels\n", "\(gone)")
        let dup = try cli.run("label", "m", "a=1", "a=2")
        #expect(dup.status == 1 && dup.stderr.contains("label 'a' given 2 times"), "\(dup)")
        #expect(try cli.ok("ls", "--label", "data=real", "--quiet").out == "m:1\n")

        // One grammar for model names: OCI's repository names.
        for bad in ["team/", "a//b", "/a", "Seed", "a..b", "a-", "ü"] {
            let result = try cli.run("push", source, bad)
            #expect(result.status == 1 && result.stderr.hasPrefix("Error: '\(bad)' cannot name a model: "), "\(bad): \(result)")
        }
        let dash = try cli.run("push", source, "--", "-x")
        #expect(dash.status == 1 && dash.stderr.hasPrefix("Error: '-x' cannot name a model: "), "\(dash)")
        for good in ["team/seed.v2", "a__b", "a--b", "a.b_c-d/e"] { try cli.ok("push", source, good, "--quiet") }
    }

    /// A Saver folder pushed onto SavedModels made checkpoint versions under them; then
    /// `pull seed --tags serve` exited 0 with "meta graphs " and wrote checkpoint files.
    @Test func aModelKeepsOneKindAndTagSetsMustExist() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("seed_mlp_train_and_serve"), "seed")
        try cli.ok("push", Fixtures.path("saver_checkpoints/plain"), "saver")
        let mixed = try cli.run("push", Fixtures.path("saver_checkpoints/plain"), "seed")
        #expect(mixed.status == 1 && mixed.stderr == "Error: model 'seed' holds saved_model versions and this would add a checkpoint; "
                + "a model keeps one kind, so push it under another name\n", "\(mixed)")
        let reverse = try cli.run("push", Fixtures.casePath("keras_tf2"), "saver")
        #expect(reverse.status == 1 && reverse.stderr.contains("'saver' holds checkpoint versions and this would add a saved_model"), "\(reverse)")
        #expect(try cli.ok("ls", "--quiet").out == "saver:1\nsaver:2\nsaver:3\nseed:1\n")

        let output = cli.tmp.path + "/base/out"
        let noServe = try cli.run("pull", "saver", "--tags", "serve", "-o", output)
        #expect(noServe.status == 1 && noServe.stderr == "Error: no meta graph tagged {serve}; this version has no meta graphs\n", "\(noServe)")
        let noGPU = try cli.run("pull", "seed", "--tags", "gpu,serve", "-o", output)
        #expect(noGPU.status == 1 && noGPU.stderr == "Error: no meta graph tagged {gpu,serve}; this version has {train}, {serve}\n", "\(noGPU)")
        #expect(!FileManager.default.fileExists(atPath: cli.tmp.path + "/base"), "a refused pull wrote something")

        // TF Serving's BASE/NAME/N: the folders above are created.
        let serving = cli.tmp.path + "/models/seed/1"
        let pulled = try cli.ok("pull", "seed", "--tags", "serve", "-o", serving)
        #expect(pulled.out == "pulled seed:1 to \(serving): 167.7 KiB in all, tensors 74.3 KiB; meta graphs {serve}\n", "\(pulled.out)")
        #expect(FileManager.default.fileExists(atPath: serving + "/saved_model.pb"))
    }

    /// Each message that pointed the wrong way, with the command that showed it.
    @Test func errorsSayWhatIsWrongAndWhatToDo() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("seed_mlp_train_and_serve"), "seed")
        let cases: [([String], Int32, String)] = [
            (["train", "seed", "--epochs", "1"], 1, "Error: model 'seed' holds saved_model versions, not the checkpoints of a training run; "
                + "train a run of another name, e.g. `registry train seed-run --from seed`\n"),
            (["pull", "seed", "--checkpoint", "-o", cli.tmp.path + "/x"], 1,
             "Error: model 'seed' holds saved_model versions, not the checkpoints of a training run; pull it without --checkpoint\n"),
            (["train", "r2", "--epochs", "0"], 64, "Error: --epochs must be at least 1 (got 0)\n"),
            (["train", "r2", "--epochs", "-1"], 64, "Error: --epochs must be at least 1 (got -1)\n"),
            (["train", "r2", "--save-every", "10"], 64,
             "Error: --save-every must be 0 or a multiple of 50, the steps of an epoch (checkpoints are taken between epochs); got 10\n"),
            (["push", Fixtures.casePath("keras_tf2"), "-dash"], 64,
             "Error: unknown option '-dash': options are spelled --name (a value that starts with '-' goes after `--`)\n"),
        ]
        for (arguments, status, message) in cases {
            let result = try cli.run(arguments)
            #expect(result.status == status, "\(arguments): \(result)")
            #expect(result.stderr.hasPrefix(message), "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(arguments) printed \(result.out)")
        }
        let typo = try cli.run(["psh", Fixtures.casePath("keras_tf2"), "k"])
        #expect(typo.status == 64 && typo.stderr.hasPrefix("Error: 'psh' is not a registry verb; did you mean 'push'?\n"), "\(typo)")
        #expect(try cli.bare(["--help"], in: cli.tmp.path).status == 0 && (try cli.bare(["help", "push"], in: cli.tmp.path)).status == 0)
        #expect(try cli.ok("ls", "--quiet").out == "seed:1\n", "none of that changed the registry")
    }

    /// `verify` lists what is damaged and never advises running `verify`; a damaged index
    /// entry is listed too (it stopped verify with an error).
    @Test func verifyListsDamageWithoutAdvisingVerify() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("seed_mlp_train_and_serve"), "seed")
        let database = try DatabaseQueue(path: cli.database)
        try database.write { db in
            try db.execute(sql: "UPDATE chunks SET data = substr(data, 1, length(data) - 1) WHERE id = (SELECT MAX(id) FROM chunks)")
            try db.execute(sql: "UPDATE tensors SET entry = x'0102' WHERE id = (SELECT MIN(id) FROM tensors)")
        }
        try database.close()
        let result = try cli.run("verify")
        #expect(result.status == 1, "\(result)")
        let lines = result.out.split(separator: "\n")
        #expect(lines.first == "checked 1 versions, 21 tensors, 3 files, 74.3 KiB: 2 damaged", "\(result.out)")
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("DAMAGED seed:1 ") } && lines.count == 3, "\(result.out)")
        #expect(!result.out.contains("registry verify") && !result.stderr.contains("registry verify"), "\(result)")
    }

    /// Names are printed whole: `inspect` cut them at 48 characters
    /// (`…/.ATTRIBUTES/VARIABLE_VALU…`), and a padded cell was cut to its width in UTF-16 units.
    @Test func namesAreNeverCut() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let folder = Fixtures.casePath("keras_tf2_saved_model_save")
        let report = try #require(try cli.json("inspect", folder) as? [String: Any])
        let keys = ((report["bundles"] as? [[String: Any]])?.first?["tensors"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
        #expect(keys.contains { $0.count > 48 }, "the fixture has long names")
        let text = try cli.ok("inspect", folder).out
        #expect(!text.contains("…"))
        for key in keys { #expect(text.contains("    \(key)  "), "inspect cut \(key)") }

        try cli.ok("push", folder, "k")
        let shown = try cli.ok("show", "k").out
        for key in keys { #expect(shown.contains("  \(key)  "), "show cut \(key)") }
        // A label with characters outside the BMP pads by characters, not UTF-16 units.
        try cli.ok("label", "k", "emoji=🙂🙂")
        let listed = try cli.ok("ls").out.split(separator: "\n").map(String.init)
        #expect(listed.count == 2 && listed[1].hasSuffix("emoji=🙂🙂"), "\(listed)")
    }
}

import Foundation
import Testing
import TestSupport

/// Where the registry is and which paths the CLI takes: every form a user types for `pull -o`,
/// `--registry` and `REGISTRY_PATH` (one-character paths died with SIGILL inside Foundation);
/// verbs that only read never create a registry; the registry is found as git finds `.git`.
@Suite struct RegistryPathTests {
    static let forms = ["x", "./y", "z/", "with space", "naïve-ü", "base/seed/1"]

    @Test func everyFormOfAnOutputFolderWorks() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("keras_tf2"), "k")
        let work = cli.tmp.path + "/work"
        try FileManager.default.createDirectory(atPath: work + "/dot", withIntermediateDirectories: true)
        for form in Self.forms + [cli.tmp.path + "/absolute"] {
            let result = try cli.bare(["pull", "k", "-o", form, "--registry", cli.database], in: work)
            #expect(result.status == 0, "pull -o '\(form)': \(result)")
            let folder = form.hasPrefix("/") ? form : work + "/" + form
            #expect(FileManager.default.fileExists(atPath: folder + "/saved_model.pb"), "pull -o '\(form)' wrote no SavedModel")
        }
        // A folder that exists is refused without --force, with one line naming it.
        for form in [".", "..", "x"] {
            let result = try cli.bare(["pull", "k", "-o", form, "--registry", cli.database], in: work)
            #expect(result.status == 1 && result.stderr == "Error: \(form) already exists; choose another folder or pass --force to replace it\n",
                    "pull -o '\(form)': \(result)")
        }
        // With --force, "." is the current folder, replaced.
        let replaced = try cli.bare(["pull", "k", "-o", ".", "--force", "--registry", cli.database], in: work + "/dot")
        #expect(replaced.status == 0, "\(replaced)")
        #expect(FileManager.default.fileExists(atPath: work + "/dot/saved_model.pb"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: work).filter { $0.hasPrefix(".") }.isEmpty, "staging left behind")
    }

    @Test func everyFormOfARegistryPathWorks() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let work = cli.tmp.path + "/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let source = Fixtures.casePath("keras_tf2")
        for form in ["r", "./r2", "with space.db", "régistre.db", "deep/er/r.db", cli.tmp.path + "/absolute.db"] {
            for (arguments, environment) in [(["--registry", form], [String: String?]()), ([], ["REGISTRY_PATH": form])] {
                let pushed = try cli.bare(["push", source, "k", "--quiet"] + arguments, in: work, environment: environment)
                #expect(pushed.status == 0, "registry \(form): \(pushed)")
                let listed = try cli.bare(["ls", "--quiet"] + arguments, in: work, environment: environment)
                #expect(listed.status == 0 && listed.out.hasPrefix("k:"), "registry \(form): \(listed)")
            }
            #expect(FileManager.default.fileExists(atPath: form.hasPrefix("/") ? form : work + "/" + form))
        }
        // A folder is not a registry file; a path ending in '/' names a folder: one line each, no crash.
        for form in [".", "..", "x/"] {
            let result = try cli.bare(["push", source, "k", "--registry", form], in: work)
            #expect(result.status == 1 && result.stderr.hasPrefix("Error: ") && result.stderr.split(separator: "\n").count == 1,
                    "registry '\(form)': \(result)")
        }
    }

    /// ls, show, history, diff, verify, pull and the verbs that change an existing registry:
    /// no registry at PATH, exit 1, and nothing created, not even the folder.
    @Test func verbsThatDoNotAddVersionsNeverCreateARegistry() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let missing = cli.tmp.path + "/nowhere/deeper/registry.db"
        for arguments in [["ls"], ["show", "m"], ["history", "m"], ["diff", "m:1", "m:2"], ["diff", "m"], ["verify"],
                          ["pull", "m", "-o", cli.tmp.path + "/out"], ["pull", "m", "--checkpoint", "-o", cli.tmp.path + "/out"],
                          ["alias", "m@prod", "1"], ["rm", "m:1"], ["rm", "m", "--all"], ["label", "m", "a=1"], ["gc"]] {
            let result = try cli.bare(arguments + ["--registry", missing], in: cli.tmp.path)
            #expect(result.status == 1, "\(arguments): \(result)")
            #expect(result.stderr == "Error: no registry at \(missing); `registry push` creates one\n", "\(arguments): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: cli.tmp.path + "/nowhere"), "\(arguments) created a folder")
            #expect(!FileManager.default.fileExists(atPath: cli.tmp.path + "/out"))
        }
        let json = try cli.bare(["ls", "--json", "--registry", missing], in: cli.tmp.path)
        #expect(json.stderr.contains("\"code\" : \"no_registry\""), "\(json.stderr)")

        // A verb that adds versions creates it, and says so once.
        let first = try cli.bare(["push", Fixtures.casePath("keras_tf2"), "k", "--registry", missing], in: cli.tmp.path)
        #expect(first.status == 0 && first.stderr == "created a new registry at \(missing)\n", "\(first)")
        let second = try cli.bare(["push", Fixtures.casePath("keras_tf2"), "k", "--registry", missing], in: cli.tmp.path)
        #expect(second.status == 0 && second.stderr.isEmpty, "\(second)")
        // A push that fails on its folder creates nothing either.
        let other = cli.tmp.path + "/other/registry.db"
        let failed = try cli.bare(["push", cli.tmp.path + "/no-such-folder", "k", "--registry", other], in: cli.tmp.path)
        #expect(failed.status == 1 && !FileManager.default.fileExists(atPath: cli.tmp.path + "/other"), "\(failed)")
    }

    /// Without --registry and $REGISTRY_PATH, the nearest `.registry/` in the current folder or
    /// a folder above holds the registry; a write verb creates one here only when none exists.
    @Test func theRegistryIsFoundInTheNearestFolderAboveAsGitFindsGit() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        var above = URL(fileURLWithPath: cli.tmp.path).deletingLastPathComponent().path
        while above != "/" {
            try #require(!FileManager.default.fileExists(atPath: above + "/.registry"), "\(above)/.registry would be found by this test")
            above = URL(fileURLWithPath: above).deletingLastPathComponent().path
        }
        let project = cli.tmp.path + "/project", deep = project + "/a/b", elsewhere = cli.tmp.path + "/elsewhere"
        for folder in [deep, elsewhere] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let source = Fixtures.casePath("keras_tf2")

        let created = try cli.bare(["push", source, "k"], in: project)
        #expect(created.status == 0 && created.stderr == "created a new registry at .registry/registry.db\n", "\(created)")
        let below = try cli.bare(["push", source, "k", "--quiet"], in: deep)
        #expect(below.status == 0 && below.stderr.isEmpty, "\(below)")
        #expect(!FileManager.default.fileExists(atPath: deep + "/.registry"), "a second registry was created below the first")
        let listed = try cli.bare(["ls", "--quiet"], in: deep)
        #expect(listed.out == "k:1\nk:2\n", "\(listed)")

        let none = try cli.bare(["ls"], in: elsewhere)
        #expect(none.status == 1 && none.stderr == "Error: no registry at .registry/registry.db; `registry push` creates one\n", "\(none)")
        // --registry and $REGISTRY_PATH still win over the one found.
        let named = try cli.bare(["ls", "--registry", cli.tmp.path + "/x.db"], in: deep)
        #expect(named.status == 1 && named.stderr.contains(cli.tmp.path + "/x.db"), "\(named)")
        let environment = try cli.bare(["ls"], in: deep, environment: ["REGISTRY_PATH": cli.tmp.path + "/y.db"])
        #expect(environment.status == 1 && environment.stderr.contains(cli.tmp.path + "/y.db"), "\(environment)")
    }
}

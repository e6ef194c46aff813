import Foundation
import Testing
import TestSupport
@testable import CLI

/// What a user at a terminal sees: the progress bar (drawn only on a terminal: these runs go
/// through `script`, which gives the command a pseudo-terminal), `--quiet` and
/// `--no-progress`, `--version`, shell completion, and `history --plot`.
@Suite struct TerminalTests {
    /// `script -qec COMMAND /dev/null`: COMMAND on a pseudo-terminal; what it wrote there.
    static func onTerminal(_ arguments: [String]) throws -> String {
        let binary = try #require(RegistryBinary.path)
        let command = ([binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let result = try runProcess("/usr/bin/script", ["-qec", command, "/dev/null"],
                                    environment: ["REGISTRY_NO_PROGRESS": nil, "REGISTRY_PATH": nil, "TERM": "dumb"])
        try #require(result.status == 0, "\(arguments): \(result)")
        return result.out
    }

    /// The bar never passes its total (it showed 13.2 MiB / 13.1 MiB), speaks MiB and MiB/s
    /// like every other size, and ends at the figure the summary prints.
    @Test func theProgressBarStaysWithinItsTotalAndEndsAtTheSummary() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let text = try Self.onTerminal(["push", Fixtures.casePath("large_weights"), "w", "--registry", cli.database])
        // Each frame starts at "\r" and ends by clearing the rest of the line (ESC [ K).
        let frames = text.components(separatedBy: "\r").filter { $0.hasPrefix("push [") }.map { $0.replacingOccurrences(of: "\u{1B}[K", with: "") }
        #expect(!frames.isEmpty, "no progress drawn: \(text.debugDescription)")
        let units: [String: Double] = ["B": 1, "KiB": 1024, "MiB": 1_048_576, "GiB": 1_073_741_824]
        func bytes(_ text: String) -> Double? {
            let parts = text.split(separator: " ")
            guard parts.count == 2, let value = Double(parts[0]), let unit = units[String(parts[1])] else { return nil }
            return value * unit
        }
        var last: (done: Double, total: Double)?
        for frame in frames {
            let amount = try #require(frame.split(separator: "]").dropFirst().first.map(String.init), "\(frame)")
            let sides = amount.components(separatedBy: "  ")[0].trimmingCharacters(in: CharacterSet.whitespaces).components(separatedBy: " / ")
            try #require(sides.count == 2, "\(frame)")
            let done = try #require(bytes(sides[0]), "\(frame)"), total = try #require(bytes(sides[1]), "\(frame)")
            #expect(done <= total, "\(frame)")
            #expect(!frame.contains("MB/s") && !frame.contains(" MB "), "\(frame)")
            last = (done, total)
        }
        // The terminal writes "\r\n" for each newline: lines are split at either.
        let lines = text.components(separatedBy: CharacterSet(charactersIn: "\r\n")).map { $0.replacingOccurrences(of: "\u{1B}[K", with: "") }
        let summary = try #require(lines.first { $0.hasPrefix("pushed w:1") }, "\(text.debugDescription)")
        let inAll = try #require(summary.components(separatedBy: "; ").last?.replacingOccurrences(of: " in all", with: ""))
        #expect(last.map { $0.done == $0.total } == true && frames.last.map { $0.contains("\(inAll) / \(inAll)") } == true,
                "last frame \(frames.last ?? "none"), summary \(summary)")

        // --quiet and --no-progress draw nothing; --quiet prints nothing at all.
        let quiet = try Self.onTerminal(["pull", "w", "-o", cli.tmp.path + "/q", "--quiet", "--registry", cli.database])
        #expect(quiet.isEmpty, "\(quiet.debugDescription)")
        let plain = try Self.onTerminal(["pull", "w", "-o", cli.tmp.path + "/p", "--no-progress", "--registry", cli.database])
        #expect(!plain.contains("pull [") && plain.hasPrefix("pulled w:1 to "), "\(plain.debugDescription)")
    }

    /// An ETA only once the rate has a second behind it (an OCI push started at "ETA 268624s"
    /// from its first kilobytes), and the rate in MiB/s.
    @Test func progressFrames() {
        #expect(ProgressBar.frame(label: "push", done: 24_000, total: 2_700_000_000, counting: nil, elapsed: 0.05)
                == "push [                              ] 23.4 KiB / 2.5 GiB")
        #expect(ProgressBar.frame(label: "push", done: 1 << 30, total: 2 << 30, counting: nil, elapsed: 2)
                == "push [###############               ] 1.0 GiB / 2.0 GiB  512.0 MiB/s  ETA 2s")
        #expect(ProgressBar.frame(label: "pull", done: 14 << 20, total: 13 << 20, counting: nil, elapsed: 1)
                == "pull [##############################] 13.0 MiB / 13.0 MiB  13.0 MiB/s")
        #expect(ProgressBar.frame(label: "train", done: 3, total: 10, counting: "epochs", elapsed: 1.5)
                == "train [#########                     ] 3 / 10 epochs  2.0/s  ETA 4s")
    }

    /// `registry --version`: the release and the commit the binary was built from.
    @Test func versionNamesTheCommit() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let result = try cli.bare(["--version"], in: cli.tmp.path)
        let head = try runProcess("/usr/bin/git", ["-C", packageRoot.path, "rev-parse", "HEAD"])
        try #require(head.status == 0, "\(head)")
        #expect(result.status == 0 && result.out == "registry \(RegistryCommand.release) (commit \(head.out.prefix(12)))\n", "\(result)")
    }

    /// The bash completion completes folders for `push DIR` (it offered nothing for `fx/<TAB>`)
    /// and model names and aliases from the registry for references.
    @Test func bashCompletesFoldersAndModelNames() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("push", Fixtures.casePath("keras_tf2"), "keras", "--alias", "prod")
        try cli.ok("push", Fixtures.casePath("keras_tf2"), "kernel")
        for folder in ["fx/alpha", "fx/beta", "fx/file.txt"] {
            if folder.hasSuffix(".txt") {
                FileManager.default.createFile(atPath: cli.tmp.path + "/" + folder, contents: Data())
            } else {
                try FileManager.default.createDirectory(atPath: cli.tmp.path + "/" + folder, withIntermediateDirectories: true)
            }
        }
        let binary = try #require(RegistryBinary.path)
        let script = try cli.bare(["--generate-completion-script", "bash"], in: cli.tmp.path)
        try #require(script.status == 0, "\(script)")
        try script.stdout.write(to: URL(fileURLWithPath: cli.tmp.path + "/registry.bash"))
        func complete(_ line: String) throws -> [String] {
            // As bash calls a completion function: the words so far, then (command, word, previous word).
            let bash = """
                source registry.bash
                COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
                _registry "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                printf '%s\\n' "${COMPREPLY[@]}"
                """
            let words = line.split(separator: " ").map(String.init)
            let result = try runProcess("/bin/bash", ["-c", bash, "completion"] + words, environment: [
                "PATH": URL(fileURLWithPath: binary).deletingLastPathComponent().path + ":/usr/bin:/bin", "REGISTRY_PATH": cli.database,
            ], directory: cli.tmp.path)
            try #require(result.status == 0, "\(line): \(result)")
            return result.out.split(separator: "\n").map(String.init).sorted()
        }
        #expect(try complete("registry push fx/") == ["fx/alpha", "fx/beta"])
        #expect(try complete("registry pull ke") == ["keras", "kernel"])
        #expect(try complete("registry show keras@") == ["keras@prod"])
        #expect(try complete("registry history kern") == ["kernel"])
    }

    /// Short runs labelled every tick the same (`1.61|1.61|1.61`); a model without metrics drew
    /// empty axes; `--plot p.png` wrote SVG into a .png; nothing said what was written.
    @Test func plotsHaveDistinctTicksAndSayWhatTheyWrote() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        try cli.ok("train", "r", "--epochs", "2", "--save-every", "50")
        let plot = cli.tmp.path + "/r.svg"
        let drawn = try cli.ok("history", "r", "--plot", plot)
        #expect(drawn.out.hasSuffix("wrote \(plot): loss and accuracy at 2 steps (every epoch), 2 checkpoints as dots\n"), "\(drawn.out)")
        let svg = try String(contentsOfFile: plot, encoding: .utf8)
        // The y labels of each panel: the texts right-aligned at x = 62.
        let labels = svg.components(separatedBy: "text-anchor=\"end\" fill=\"#495057\">").dropFirst().map { $0.components(separatedBy: "<")[0] }
        #expect(labels.count >= 4 && Set(labels).count == labels.count, "\(labels)")
        #expect(svg.components(separatedBy: "<circle").count - 1 == 4, "a dot per checkpoint and panel")

        try cli.ok("push", Fixtures.casePath("keras_tf2"), "k")
        let nothing = try cli.run("history", "k", "--plot", cli.tmp.path + "/k.svg")
        #expect(nothing.status == 1 && nothing.stderr.hasPrefix("Error: nothing to plot: no version of k records a metric"), "\(nothing)")
        #expect(!FileManager.default.fileExists(atPath: cli.tmp.path + "/k.svg"))
        let png = try cli.run("history", "r", "--plot", cli.tmp.path + "/r.png")
        #expect(png.status == 64 && png.stderr.hasPrefix("Error: --plot writes SVG: name the file .svg"), "\(png)")
        #expect(!FileManager.default.fileExists(atPath: cli.tmp.path + "/r.png"))
    }

    /// `--save-every 100` saves at steps 100 and 200 of four epochs (and nowhere else).
    @Test func saveEveryCountsGlobalSteps() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let trained = try cli.ok("train", "r", "--epochs", "5", "--save-every", "100", "--max-to-keep", "0", "--json")
        let summary = try #require(try JSONSerialization.jsonObject(with: trained.stdout) as? [String: Any])
        #expect(summary["checkpoints"] as? [Int] == [1, 2, 3])
        let history = try #require(try cli.json("history", "r") as? [[String: Any]])
        #expect(history.map { $0["globalStep"] as? Int } == [100, 200, 250], "every 100 steps, and the end")
    }
}

import ArgumentParser
import Foundation
import Registry

/// `registry`: keeps every version of a TensorFlow model in one SQLite file.
@main
struct RegistryCommand: ParsableCommand {
    /// The release; `--version` adds the commit the binary was built from.
    static let release = "0.14.0"

    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "An embedded model registry for TensorFlow SavedModels and checkpoints.",
        version: "registry \(release) (commit \(BuildInfo.commit))",
        subcommands: [PushCommand.self, PullCommand.self, ListCommand.self, ShowCommand.self, HistoryCommand.self,
                      DiffCommand.self, AliasCommand.self, LabelCommand.self, RemoveCommand.self, PruneCommand.self, GCCommand.self,
                      CompactCommand.self, VerifyCommand.self, TrainCommand.self, InspectCommand.self, RemoteCommand.self, CatCommand.self,
                      ServingCommand.self, UICommand.self])

    static func main() {
        MallocTuning.apply()
        let json = ErrorReport.jsonRequested(CommandLine.arguments)
        do {
            try CommandLineCheck.run(Array(CommandLine.arguments.dropFirst()), verbs: configuration.subcommands.map { $0._commandName } + ["help"])
            var command = try parseAsRoot()
            try command.run()
        } catch {
            ErrorReport.exit(with: error, command: self, json: json)
        }
    }
}

/// What ArgumentParser lets through or answers oddly, checked before it parses: a mistyped verb
/// gets "did you mean push?", and a word like `-dash` (which it read as `-d -a -s -h` and so
/// printed the whole help with exit 0) is an unknown option.
enum CommandLineCheck {
    static func run(_ arguments: [String], verbs: [String]) throws {
        if let verb = arguments.first, !verb.hasPrefix("-"), !verbs.contains(verb) {
            let guess = verbs.min { distance(verb, $0) < distance(verb, $1) }.flatMap { distance(verb, $0) <= 2 ? $0 : nil }
            throw ValidationError("'\(verb)' is not a registry verb" + (guess.map { "; did you mean '\($0)'?" } ?? "; `registry --help` lists them"))
        }
        for argument in arguments.prefix(while: { $0 != "--" }) where isBundledShortOptions(argument) {
            throw ValidationError("unknown option '\(argument)': options are spelled --name (a value that starts with '-' goes after `--`)")
        }
    }

    /// `-abc`: several letters after one dash. No option of this CLI is meant to be bundled, and
    /// a bundle holding `h` read as a help request.
    static func isBundledShortOptions(_ argument: String) -> Bool {
        argument.count > 2 && argument.hasPrefix("-") && !argument.hasPrefix("--")
            && argument.dropFirst().allSatisfy { $0.isASCII && $0.isLetter }
    }

    /// Levenshtein distance, for verb suggestions.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
}

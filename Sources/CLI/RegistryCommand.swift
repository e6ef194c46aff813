import ArgumentParser
import Foundation
import Registry

/// `registry`: keeps every version of a TensorFlow model in one SQLite file.
@main
struct RegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "An embedded model registry for TensorFlow SavedModels and checkpoints.",
        subcommands: [PushCommand.self, PullCommand.self, ListCommand.self, ShowCommand.self, HistoryCommand.self,
                      DiffCommand.self, AliasCommand.self, RemoveCommand.self, GCCommand.self, VerifyCommand.self,
                      TrainCommand.self, InspectCommand.self, RemoteCommand.self, CatCommand.self, UICommand.self])

    static func main() {
        MallocTuning.apply()
        let json = ErrorReport.jsonRequested(CommandLine.arguments)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            ErrorReport.exit(with: error, command: self, json: json)
        }
    }
}

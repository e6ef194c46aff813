import ArgumentParser
import Registry

/// `registry history NAME`: every version of a model or training run, with steps and metrics.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List the versions of one model or training run.")

    @OptionGroup var options: RegistryOptions
    @Argument(help: "The model or run name.") var name: String
    @OptionGroup var output: JSONOption

    func run() throws {
        let versions = try options.open().history(model: name)
        if output.json { print(Output.json(versions)); return }
        print(VersionTable.render(versions, showModel: false))
    }
}

import ArgumentParser
import Foundation
import Registry
import RegistryUI

/// `registry history NAME`: every version of a model or training run, with steps and metrics.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List the versions of one model or training run.")

    @OptionGroup var options: RegistryOptions
    @Argument(help: "The model or run name.") var name: String
    @Option(help: "Also draw the run's metrics over global steps into this SVG file (loss and accuracy, or each series pushed with --metric or --events).") var plot: String?
    @OptionGroup var output: JSONOption

    func run() throws {
        let registry = try options.open()
        let versions = try registry.history(model: name)
        if let plot {
            let curve = try registry.trainingCurve(run: name)
            do {
                try CurvePlot.svg(run: name, curve: curve).write(toFile: plot, atomically: true, encoding: .utf8)
            } catch {
                throw CLIFailure(message: "\(plot): cannot write the plot: \(error.localizedDescription)")
            }
        }
        if output.json { print(Output.json(versions)); return }
        print(VersionTable.render(versions, showModel: false))
    }
}

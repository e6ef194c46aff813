import ArgumentParser
import Foundation
import Registry
import RegistryUI

/// `registry history NAME`: every version of a model or training run, with steps and metrics.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List the versions of one model or training run.")

    @OptionGroup var options: RegistryOptions
    @Argument(help: "The model or run name.", completion: Completions.modelNames) var name: String
    @Option(help: "Also draw the run's metrics over global steps into this SVG file (loss and accuracy, or each series pushed with --metric or --events; the name must end in .svg).",
            completion: .file(extensions: ["svg"]))
    var plot: String?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let plot, !plot.lowercased().hasSuffix(".svg") {
            throw ValidationError("--plot writes SVG: name the file .svg (not \(plot))")
        }
    }

    func run() throws {
        let registry = try options.open()
        let versions = try registry.history(model: name)
        var wrote: String?
        if let plot {
            guard let drawing = CurvePlot(run: name, curve: try registry.trainingCurve(run: name)) else {
                throw CLIFailure(message: "nothing to plot: no version of \(name) records a metric (they come with "
                                 + "`registry train` and with checkpoints pushed with --metric or --events); no file written", code: "nothing_to_plot")
            }
            do {
                try drawing.svg.write(toFile: plot, atomically: true, encoding: .utf8)
            } catch {
                throw CLIFailure(message: "\(plot): cannot write the plot: \(error.localizedDescription)")
            }
            wrote = "wrote \(plot): \(drawing.summary)"
        }
        if output.json { print(Output.json(versions)); return }
        if output.quiet { return VersionTable.printNames(versions) }
        print(VersionTable.render(versions, showModel: false))
        if let wrote { print(wrote) }
    }
}

import ArgumentParser
import Foundation
import Registry

/// `registry inspect DIR`: what a SavedModel or checkpoint folder on disk holds, with every
/// tensor's crc32c checked, before anything is pushed.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a SavedModel or checkpoint folder on disk holds, checking every tensor.")

    @Argument(help: "A SavedModel folder or a folder of tf.train.Saver checkpoints.", completion: .directory)
    var path: String

    @OptionGroup var output: OutputOptions

    @Flag(help: "Skip reading the tensors' bytes (no crc32c check).")
    var noVerify = false

    func run() throws {
        do {
            let report = try ModelRegistry.inspect(folder: path, verify: !noVerify)
            if output.quiet { return }
            print(output.json ? report.json : report.text)
        } catch let error as FormatError {
            throw CLIFailure(message: error.description)
        }
    }
}

import ArgumentParser
import Foundation
import Registry

/// `registry push DIR NAME`: imports a SavedModel folder as the next version of NAME.
struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Import a SavedModel folder, or a folder of tf.train.Saver checkpoints, as new versions (one transaction).")

    @OptionGroup var options: RegistryOptions
    @Argument(help: "A SavedModel folder (saved_model.pb, variables/, assets/…) or a folder of Saver checkpoints.") var directory: String
    @Argument(help: "The model's name: letters, digits, '.', '_', '-', '/'.") var name: String
    @Option(name: .customLong("alias"), help: "Point this alias at the new version (repeatable).") var aliases: [String] = []
    @Option(name: .customLong("label"), help: "Attach a key=value label (repeatable).") var labels: [String] = []
    @Option(help: "The version this one derives from (NAME, NAME:N or NAME@ALIAS).") var parent: String?
    @OptionGroup var output: JSONOption

    func run() throws {
        var pushOptions = ModelRegistry.PushOptions()
        pushOptions.aliases = aliases
        pushOptions.labels = try Labels.parse(labels)
        pushOptions.parent = try parent.map(VersionReference.init(parsing:))
        let registry = try options.open()
        let bar = ProgressBar("push")
        if !FileManager.default.fileExists(atPath: directory + "/saved_model.pb") && !FileManager.default.fileExists(atPath: directory + "/saved_model.pbtxt"),
           let names = try? FileManager.default.contentsOfDirectory(atPath: directory), names.contains(where: { $0.hasSuffix(".index") }) {
            let results = try registry.push(checkpointFolder: directory, run: name, options: pushOptions, progress: bar.callback)
            bar.finish()
            if output.json { print(Output.json(results)); return }
            for result in results {
                print("pushed \(result.model):\(result.version): checkpoint, \(result.tensors) tensors, "
                      + "stored \(Output.bytes(result.statistics.storedBytes)) new, dedup saved \(Output.bytes(result.statistics.dedupBytes))")
            }
            return
        }
        let result = try registry.push(savedModel: directory, model: name, options: pushOptions, progress: bar.callback)
        bar.finish()
        if output.json { print(Output.json(result)); return }
        let s = result.statistics
        print("pushed \(result.model):\(result.version): \(result.tensors) tensors, \(result.files) other files")
        print("  raw \(Output.bytes(s.rawBytes)), stored \(Output.bytes(s.storedBytes)) new, "
              + "dedup saved \(Output.bytes(s.dedupBytes)) (\(s.reusedChunks) of \(s.newChunks + s.reusedChunks) chunks already stored)")
    }
}

enum Labels {
    static func parse(_ pairs: [String]) throws -> [String: String] {
        var labels: [String: String] = [:]
        for pair in pairs {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw ValidationError("'\(pair)' is not a label; write key=value")
            }
            labels[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        return labels
    }
}

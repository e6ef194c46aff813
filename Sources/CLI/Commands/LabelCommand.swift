import ArgumentParser
import Foundation
import Registry

/// `registry label REF key=value… [--remove key]…`: sets and removes a version's labels after
/// its push.
struct LabelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label", abstract: "Set (key=value) or remove (--remove key) labels of a version.")

    @OptionGroup var options: RegistryOptions
    @Argument(help: "NAME (latest), NAME:N or NAME@ALIAS.", completion: Completions.references) var reference: String
    @Argument(help: "Labels to set or replace, as key=value.") var labels: [String] = []
    @Option(name: .customLong("remove"), help: "A label key to remove (repeatable).") var removals: [String] = []
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if labels.isEmpty && removals.isEmpty { throw ValidationError("give key=value labels to set, or --remove KEY") }
    }

    func run() throws {
        let set = try LabelPairs.parse(labels)
        if let key = removals.first(where: { set[$0] != nil }) {
            throw ValidationError("'\(key)' is both set and removed; do one")
        }
        let ref = try VersionReference(parsing: reference)
        let registry = try options.open()
        let result = try registry.label(ref, set: set, remove: removals)
        if output.json { print(Output.json(result)); return }
        if output.quiet { return }
        print("\(result.model):\(result.version) labels: "
              + (result.labels.isEmpty ? "none" : result.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")))
    }
}

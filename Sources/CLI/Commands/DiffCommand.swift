import ArgumentParser
import Foundation
import Registry

/// `registry diff A B`: tensors added, removed and changed, with the largest change.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff", abstract: "Compare the tensors of two versions.")

    @OptionGroup var options: RegistryOptions
    @Argument(help: "The version to compare from.") var from: String
    @Argument(help: "The version to compare to.") var to: String
    @OptionGroup var output: JSONOption

    func run() throws {
        let diff = try options.open().diff(VersionReference(parsing: from), VersionReference(parsing: to))
        if output.json { print(Output.json(diff)); return }
        var lines = ["\(diff.from) -> \(diff.to): \(diff.added.count) added, \(diff.removed.count) removed, "
                     + "\(diff.changed.count) changed, \(diff.unchanged) unchanged"]
        lines += diff.added.map { "+ \($0.name)  \($0.dtype)\(Output.shape($0.shape))" }
        lines += diff.removed.map { "- \($0.name)  \($0.dtype)\(Output.shape($0.shape))" }
        lines += diff.changed.map { change in
            let delta = change.maxAbsDifference.map { String(format: "  max |Δ| = %.6g", $0) } ?? ""
            return "~ \(change.name)  " + (change.before == change.after ? change.after : "\(change.before) -> \(change.after)") + delta
        }
        print(Output.lines(lines))
    }
}

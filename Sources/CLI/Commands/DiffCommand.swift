import ArgumentParser
import Foundation
import Registry

/// `registry diff A B` (or `diff REF`, against the version before it): tag sets, signatures,
/// collections, files and tensors added, removed and changed, with the largest change of a
/// float tensor.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two versions: tag sets, signatures, collections, files and tensors.",
        discussion: "With one version, compares it with the version of its model just before it. "
            + "With --quiet, prints nothing and exits 1 when the versions differ.")

    @OptionGroup var options: RegistryOptions
    @Argument(help: "The version to compare from (or, alone, the version to compare with the one before it).",
              completion: Completions.references)
    var from: String
    @Argument(help: "The version to compare to.", completion: Completions.references) var to: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        let registry = try options.open()
        let diff = try to.map { try registry.diff(VersionReference(parsing: from), VersionReference(parsing: $0)) }
            ?? registry.diff(VersionReference(parsing: from))
        if output.json { print(Output.json(diff)); return }
        if output.quiet {
            if !diff.isEmpty { throw ExitCode.failure }
            return
        }
        print(Self.text(diff))
    }

    /// The report: a line per kind of thing compared, then `+`, `-` and `~` lines for what changed.
    static func text(_ diff: VersionDiff) -> String {
        var lines = ["\(diff.from) -> \(diff.to)"]
        func section(_ title: String, _ part: Differences) {
            lines.append("\(title): \(counts(part.added.count, part.removed.count, part.changed.count, part.unchanged))")
            lines += part.added.map { "  + \($0.name)  \($0.detail)" }
            lines += part.removed.map { "  - \($0.name)  \($0.detail)" }
            lines += part.changed.map { "  ~ \($0.name)  \($0.before) -> \($0.after)" }
        }
        section("tag sets", diff.tagSets)
        section("signatures", diff.signatures)
        section("collections", diff.collections)
        section("files", diff.files)
        lines.append("tensors: \(counts(diff.added.count, diff.removed.count, diff.changed.count, diff.unchanged))")
        lines += diff.added.map { "  + \($0.name)  \($0.dtype)\(Output.shape($0.shape))" }
        lines += diff.removed.map { "  - \($0.name)  \($0.dtype)\(Output.shape($0.shape))" }
        lines += diff.changed.map { change in
            let delta = change.maxAbsDifference.map { String(format: "  max |Δ| = %.6g", $0) } ?? ""
            return "  ~ \(change.name)  " + (change.before == change.after ? change.after : "\(change.before) -> \(change.after)") + delta
        }
        return lines.joined(separator: "\n")
    }

    private static func counts(_ added: Int, _ removed: Int, _ changed: Int, _ unchanged: Int) -> String {
        "\(added) added, \(removed) removed, \(changed) changed, \(unchanged) unchanged"
    }
}
